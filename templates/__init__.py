"""The default theme: Jinja templates and static files, shipped inside the package as `sitegen.theme`.

sitegen finds it with importlib.resources, so an installed sitegen builds any
content folder; a content folder's own templates/ overrides any file here.
"""
