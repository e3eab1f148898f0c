// The search page (search.html): asks the Pagefind index that `sitegen build` writes under
// pagefind/, as the reader types or picks a filter. The page works without this script (the
// form reloads the page and the indexes are linked), so nothing here is needed to read the site.
// Results are built from text nodes and <mark> elements only: nothing from the index is ever
// inserted as HTML.

const form = document.querySelector(".search-form");
const input = document.getElementById("sg-q");
const status = document.getElementById("sg-search-status");
const list = document.getElementById("sg-search-results");
const selects = [...form.querySelectorAll("select")];
const WAIT_MS = 250; // typing pause before a search
const LANG = document.documentElement.lang || "en";
// The page's messages in its language (search.html writes them, from the theme's catalogues): each
// counted one as its CLDR plural forms, picked with Intl.PluralRules; %(num)s and %(query)s filled here.
const TEXT = JSON.parse(document.getElementById("sg-search-text").textContent);
const PLURALS = known(() => new Intl.PluralRules(LANG), { select: () => "other" });
const NUMBERS = known(() => new Intl.NumberFormat(LANG), { format: String });

function known(make, fallback) {
  try {
    return make();
  } catch { // a language tag the browser does not know: the "other" form, plain digits
    return fallback;
  }
}
const SHOWN = 20; // results shown at first; a button shows the next ones

let pagefind = null;
let asked = 0; // the latest search asked for: answers to older ones are dropped
let timer = 0;

document.querySelector(".search-needs-script")?.remove();

async function index() {
  if (!pagefind) {
    pagefind = await import(form.dataset.bundle);
    await pagefind.options({ excerptLength: 24 });
  }
  return pagefind;
}

function wanted() {
  const filters = {};
  for (const select of selects) {
    if (select.value) filters[select.name] = select.value;
  }
  return { query: input.value.trim(), filters };
}

function remember({ query, filters }) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function say(message, values = {}) {
  return message.replace(/%\((\w+)\)s/g, (found, name) => values[name] ?? found);
}

function counted(forms, n) {
  return say(forms[PLURALS.select(n)] ?? forms.other, { num: NUMBERS.format(n) });
}

function excerpt(html) {
  // Pagefind's excerpt is text with <mark> around the words found; parsed inertly, then copied as text.
  const paragraph = document.createElement("p");
  paragraph.className = "search-result-excerpt";
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(document.createTextNode(node.textContent));
    }
  }
  return paragraph;
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "search-result-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  li.append(heading);
  const place = [data.meta.city, data.meta.country].filter(Boolean).join(", ");
  if (place) {
    const where = document.createElement("p");
    where.className = "search-result-place";
    where.textContent = place;
    li.append(where);
  }
  if (data.excerpt) li.append(excerpt(data.excerpt));
  return li;
}

async function show(results, from, ticket) {
  const datas = await Promise.all(results.slice(from, from + SHOWN).map((r) => r.data()));
  if (ticket !== asked) return;
  list.querySelector(".search-more")?.remove();
  for (const data of datas) list.append(item(data));
  if (from + SHOWN < results.length) {
    const li = document.createElement("li");
    li.className = "search-more";
    const more = document.createElement("button");
    more.type = "button";
    more.textContent = counted(TEXT.more, results.length - from - SHOWN);
    more.addEventListener("click", () => {
      const next = list.children.length - 1;
      show(results, from + SHOWN, ticket).then(() => list.children[next]?.querySelector("a")?.focus());
    });
    li.append(more);
    list.append(li);
  }
}

async function run() {
  const ticket = ++asked;
  const asking = wanted();
  remember(asking);
  if (!asking.query && !Object.keys(asking.filters).length) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = TEXT.searching;
  let found;
  try {
    const pf = await index();
    found = await pf.search(asking.query || null, { filters: asking.filters });
  } catch (error) {
    if (ticket === asked) {
      status.textContent = TEXT.failed;
    }
    throw error;
  }
  if (ticket !== asked || !found) return;
  list.replaceChildren();
  await show(found.results, 0, ticket);
  if (ticket !== asked) return;
  const n = found.results.length;
  status.textContent = asking.query
    ? (n ? say(counted(TEXT.found_for, n), { query: asking.query }) : say(TEXT.nothing_for, { query: asking.query }))
    : (n ? counted(TEXT.found, n) : TEXT.nothing);
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(run, WAIT_MS);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run();
});
input.addEventListener("input", soon);
for (const select of selects) select.addEventListener("change", run);

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
for (const select of selects) {
  const value = params.get(select.name);
  if (value && [...select.options].some((option) => option.value === value)) select.value = value;
}
run();
