/* mockserver docs: the Python and JavaScript samples (written from the page's curl command),
   search, the samples' language switcher, the menu and the try-it console.
   No dependencies, no network requests except the ones "Try it" sends. No "</" outside string
   literals: the one-file build inlines this script. */
(function () {
  "use strict";
  var body = document.body;
  var KEY = "mockserver-docs-lang";
  var LANGS = ["curl", "python", "javascript"];

  /* -- samples: the page carries each operation's curl command; the Python (httpx) and
     JavaScript (fetch) samples are written from it here, the same text mockserver's
     samples.py writes into the Markdown pages ------------------------------------------- */
  function shellWords(text) {
    /* the words of a command quoted as Python's shlex.quote does ('...', "'" for a quote) */
    var words = [], word = null, i = 0;
    while (i < text.length) {
      var c = text.charAt(i);
      if (c === "\\" && text.charAt(i + 1) === "\n") { i += 2; continue; }
      if (c === " " || c === "\n") { if (word !== null) { words.push(word); word = null; } i++; continue; }
      if (c === "'" || c === '"') {
        var end = text.indexOf(c, i + 1);
        word = (word || "") + text.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      word = (word || "") + c;
      i++;
    }
    if (word !== null) words.push(word);
    return words;
  }
  function request(section) {
    if (section._request) return section._request;
    var pre = section.querySelector('pre.sample[data-lang="curl"]');
    var words = shellWords(pre ? pre.textContent : "");
    var call = { m: "GET", url: "", h: [], b: null };
    for (var i = 1; i < words.length; i++) {
      if (words[i] === "-X") call.m = words[++i];
      else if (words[i] === "-H") {
        var header = words[++i], at = header.indexOf(": ");
        call.h.push([header.slice(0, at), header.slice(at + 2)]);
      } else if (words[i] === "-d") call.b = words[++i];
      else call.url = words[i];
    }
    section._request = call;
    return call;
  }
  function ascii(value) { /* JSON string as Python's json.dumps writes it (ensure_ascii) */
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function headersText(headers, pad) { /* a string map as two-space-indented JSON, shifted */
    if (!headers.length) return "{}";
    return "{\n" + headers.map(function (h) {
      return pad + "  " + JSON.stringify(h[0]) + ": " + JSON.stringify(h[1]);
    }).join(",\n") + "\n" + pad + "}";
  }
  var PY = { "true": "True", "false": "False", "null": "None" };
  function pythonLiterals(json) {
    return json.replace(/"(?:[^"\\]|\\.)*"|\b(true|false|null)\b/g, function (m, word) { return word ? PY[word] : m; });
  }
  var WRITERS = {
    python: function (call) {
      var headers = call.b === null ? call.h : call.h.filter(function (h) { return h[0].toLowerCase() !== "content-type"; });
      var code = "import httpx\n\nresponse = httpx.request(\n    " + ascii(call.m) + ",\n    " + ascii(call.url) + ",\n";
      if (headers.length) code += "    headers=" + headersText(headers, "    ") + ",\n";
      if (call.b !== null) code += "    json=" + pythonLiterals(call.b).replace(/\n/g, "\n    ") + ",\n";
      return code + ")\nprint(response.status_code, response.json())";
    },
    javascript: function (call) {
      var code = "const response = await fetch(" + ascii(call.url) + ", {\n  method: " + ascii(call.m) + ",\n";
      if (call.h.length) code += "  headers: " + headersText(call.h, "  ") + ",\n";
      if (call.b !== null) code += "  body: JSON.stringify(" + call.b.replace(/\n/g, "\n  ") + "),\n";
      return code + "});\nconsole.log(response.status, await response.json());";
    }
  };
  var TOKEN = /("(?:[^"\\\n]|\\.)*")(?=\s*:)|("(?:[^"\\\n]|\\.)*")|((?:^|[^\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null|True|False|None|import|const|await)\b/g;
  function highlight(code) { /* the classes mockserver's own highlighting uses: n s m k */
    /* [<], not <: the one-file build inlines this script with every "</" written "<\/" */
    var html = code.replace(/&/g, "&amp;").replace(/[<]/g, "&lt;").replace(/>/g, "&gt;");
    return html.replace(TOKEN, function (m, key, str, num, word) {
      if (key) return '<span class="n">' + key + "</span>";
      if (str) return '<span class="s">' + str + "</span>";
      if (num) {
        var lead = /^-?\d/.test(num) ? "" : num.charAt(0);
        return lead + '<span class="m">' + num.slice(lead.length) + "</span>";
      }
      return '<span class="k">' + word + "</span>";
    });
  }
  function writeSamples(lang) {
    if (!WRITERS[lang]) return;
    document.querySelectorAll('section.op pre.sample[data-lang="' + lang + '"]').forEach(function (pre) {
      if (pre.firstChild) return;
      pre.innerHTML = "<code>" + highlight(WRITERS[lang](request(pre.closest("section.op")))) + "</code>";
    });
  }
  var LABELS = { curl: "curl", python: "Python", javascript: "JavaScript" };
  document.querySelectorAll("section.op .panel.samples").forEach(function (panel) {
    var tabs = document.createElement("div");
    tabs.className = "tabs";
    LANGS.forEach(function (lang) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-lang", lang);
      button.textContent = LABELS[lang];
      tabs.appendChild(button);
    });
    panel.insertBefore(tabs, panel.firstChild);
    var tryIt = document.createElement("details");
    tryIt.className = "try";
    tryIt.innerHTML = '<summary>Try it</summary><form class="tf"></form>';
    panel.parentNode.appendChild(tryIt);
  });

  /* -- language switcher, remembered across pages and visits ------------------------------ */
  function setLang(lang, remember) {
    if (LANGS.indexOf(lang) < 0) return;
    writeSamples(lang);
    body.setAttribute("data-lang", lang);
    if (remember) {
      try { localStorage.setItem(KEY, lang); } catch (e) { /* storage may be disabled */ }
    }
  }
  try { setLang(localStorage.getItem(KEY) || "curl", false); } catch (e) { /* keep curl */ }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".tabs button") : null;
    if (button) setLang(button.getAttribute("data-lang"), true);
  });

  /* -- menu on narrow screens -------------------------------------------------------------- */
  var menu = document.querySelector(".menu");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = body.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.getElementById("nav").addEventListener("click", function (event) {
      if (event.target.closest("a")) body.classList.remove("open");
    });
  }

  /* -- search over the index built with the pages ------------------------------------------- */
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var index = window.DOCS_INDEX || null;
  function pageIndex() {
    /* the one-file build ships no index: the same entries as render.search_index, read from
       the page (pages, each resource's object and its attributes two levels deep,
       operations, events, error statuses) */
    var found = [];
    function text(el, length) { return el ? el.textContent.replace(/\s+/g, " ").trim().slice(0, length) : ""; }
    function said(el) { return el ? el.querySelector(":scope > p, :scope > .d, :scope > div.d") : null; }
    function attributes(list, owner, depth) {
      if (!list) return;
      list.querySelectorAll(":scope > li[id]").forEach(function (li) {
        found.push([text(li.querySelector(":scope > b")), "#" + li.id, owner + " attribute", text(said(li), 80)]);
        if (depth < 1) attributes(li.querySelector(":scope > details > ul.attrs"), owner, depth + 1);
      });
    }
    document.querySelectorAll("article.page").forEach(function (page) {
      var slug = page.getAttribute("data-page"), head = page.querySelector("header.ph1");
      found.push([text(head.querySelector("h1")), "#" + head.id, "page", text(head.querySelector(".lead"), 120)]);
      var object = document.getElementById(slug + "-object");
      if (object && page.contains(object)) {
        var name = object.getAttribute("data-name");
        found.push([text(object.querySelector("h2")), "#" + object.id, "object", name]);
        attributes(object.querySelector(".main > ul.attrs"), name, 0);
      }
      page.querySelectorAll("section.op").forEach(function (op) {
        found.push([text(op.querySelector("h2 > a")), "#" + op.id, text(op.querySelector(".ep")),
          op.id + " " + text(op.querySelector(".main > .d, .main > p.d"), 80)]);
      });
      if (slug === "event-types") page.querySelectorAll(".event[id]").forEach(function (event) {
        found.push([text(event.querySelector("code")), "#" + event.id, "event", text(event.querySelector(".d"), 80)]);
      });
      page.querySelectorAll(".estatus[id]").forEach(function (status) {
        found.push([text(status.querySelector("h3")) + " error", "#" + status.id, "error", text(status.querySelector(".d"), 80)]);
      });
    });
    return found;
  }
  window.docsIndex = function () { return index || (index = pageIndex()); };
  var selected = -1;
  function score(entry, terms) {
    var title = entry[0].toLowerCase(), text = (entry[0] + " " + entry[2] + " " + (entry[3] || "")).toLowerCase();
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var at = text.indexOf(terms[i]);
      if (at < 0) return 0;
      total += title.indexOf(terms[i]) === 0 ? 5 : title.indexOf(terms[i]) >= 0 ? 3 : 1;
    }
    return total;
  }
  function show(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.innerHTML = "";
    selected = -1;
    if (!terms.length) { list.hidden = true; return; }
    var hits = [];
    if (!index) index = pageIndex();
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], terms);
      if (s) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    hits.slice(0, 20).forEach(function (hit) {
      var entry = index[hit[1]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = entry[1];
      a.textContent = entry[0];
      var kind = document.createElement("small");
      kind.textContent = entry[2];
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!hits.length) {
      var none = document.createElement("li");
      none.textContent = "No results";
      none.style.padding = ".3rem .8rem";
      list.appendChild(none);
    }
    list.hidden = false;
  }
  function move(step) {
    var items = list.querySelectorAll("li a");
    if (!items.length) return;
    if (selected >= 0) items[selected].parentNode.classList.remove("sel");
    selected = (selected + step + items.length) % items.length;
    items[selected].parentNode.classList.add("sel");
    items[selected].scrollIntoView({ block: "nearest" });
  }
  if (input) {
    input.addEventListener("input", function () { show(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
      else if (event.key === "Enter") {
        var items = list.querySelectorAll("li a");
        if (items.length) { window.location.href = items[Math.max(selected, 0)].href; list.hidden = true; }
      } else if (event.key === "Escape") { list.hidden = true; }
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".search")) list.hidden = true;
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && document.activeElement !== input && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
        input.focus();
        event.preventDefault();
      }
    });
  }

  /* -- print: open every collapsed section ---------------------------------------------------- */
  window.addEventListener("beforeprint", function () {
    LANGS.forEach(writeSamples);
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });

  /* -- deep links into collapsed attributes -------------------------------------------------- */
  function reveal() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    if (target) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  reveal();

  /* -- try it: send the sample request (editable) and show the answer ------------------------ */
  function field(form, label, name, value, multiline) {
    var l = document.createElement("label");
    l.textContent = label;
    var input = document.createElement(multiline ? "textarea" : "input");
    input.name = name;
    input.value = value;
    input.spellcheck = false;
    form.appendChild(l);
    form.appendChild(input);
    return input;
  }
  function base() {
    var configured = body.getAttribute("data-base") || "";
    if (/^https?:/.test(configured)) return configured.replace(/\/$/, "");
    return location.protocol.indexOf("http") === 0 ? location.origin + configured.replace(/\/$/, "") : "http://127.0.0.1:8000";
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("try") || !details.open) return;
    var form = details.querySelector("form");
    if (form.childNodes.length) return;
    var call = request(details.closest("section.op"));
    var configured = (body.getAttribute("data-base") || "").replace(/\/$/, "");
    var path = configured && call.url.indexOf(configured) === 0 ? call.url.slice(configured.length) : call.url;
    field(form, "Method", "method", call.m, false);
    field(form, "URL", "url", /^https?:/.test(path) ? path : base() + path, false);
    field(form, "Headers (one per line)", "headers", call.h.map(function (h) { return h[0] + ": " + h[1]; }).join("\n"), true);
    if (call.b !== null) field(form, "Body (JSON)", "body", call.b, true);
    var send = document.createElement("button");
    send.type = "submit";
    send.textContent = "Send";
    form.appendChild(send);
    var output = document.createElement("output");
    form.appendChild(output);
    form.addEventListener("submit", function (submit) {
      submit.preventDefault();
      var get = function (name) { var el = form.elements.namedItem(name); return el ? el.value : null; };
      var url = get("url");
      var init = { method: get("method").toUpperCase(), headers: {} };
      get("headers").split("\n").forEach(function (line) {
        var at = line.indexOf(":");
        if (at > 0) init.headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      });
      if (get("body") !== null && init.method !== "GET" && init.method !== "HEAD") init.body = get("body");
      output.textContent = "Sending...";
      fetch(url, init).then(function (response) {
        return response.text().then(function (text) {
          var shown = text;
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
          output.innerHTML = "";
          var status = document.createElement("p");
          status.className = "try-status";
          status.textContent = response.status + " " + response.statusText;
          var pre = document.createElement("pre");
          pre.textContent = shown;
          output.appendChild(status);
          output.appendChild(pre);
        });
      }).catch(function (error) {
        output.textContent = "The request failed (" + error.message + "). Is the mock running at " +
          url.split("/").slice(0, 3).join("/") + "? Opened from disk, a browser blocks calls to " +
          "another origin: serve the docs from the mock (/docs) to try them there.";
      });
    });
  }, true);
})();
