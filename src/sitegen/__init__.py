"""sitegen: a static site generator for a showcase of learning cities.

Data flows one way: load (files -> validated records) -> index (the site
model) -> render (Jinja) -> write (atomic). `pipeline` runs them in order;
`cli` is the command line.
"""

__version__ = "0.1.0"
