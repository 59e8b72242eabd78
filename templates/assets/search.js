// Site search over the bigram index in search-index.js (window.XZ_SEARCH_INDEX, built by
// site_builder/search.py). Without JavaScript the page keeps its message and links instead.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var box = document.getElementById("search-results");
  var nojs = document.getElementById("search-nojs");
  var idx = window.XZ_SEARCH_INDEX;
  var LIMIT = 50;
  var SEP;
  try {
    SEP = new RegExp("[\\p{P}\\p{Z}\\p{S}\\p{Cc}]+", "u");  // the separators of search.py
  } catch (e) {
    SEP = /[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65!-\/:-@\[-`{-~]+/;
  }

  function norm(s) {
    s = String(s || "");
    return (s.normalize ? s.normalize("NFKC") : s).toLowerCase();
  }
  function chars(s) { return Array.from ? Array.from(s) : s.split(""); }

  if (!idx) {
    status.textContent = "搜索索引未能加载，请刷新本页重试；也可以通过下面的机构名单和考核办法查找。";
    return;
  }
  nojs.hidden = true;

  var inst = idx.institutions, ind = idx.indicators, rsn = idx.reasons;
  var nI = inst.length, nD = ind.length, total = nI + nD + rsn.length;
  var texts = [];
  function text(d) {
    if (texts[d] === undefined) {
      texts[d] = norm(d < nI ? inst[d][0] + " " + inst[d][1]
        : d < nI + nD ? ind[d - nI].join(" ") : rsn[d - nI - nD][0]);
    }
    return texts[d];
  }
  // "3,7.3,8" -> [3, 10, 11, 12, 20]: base-36 gaps, a run of consecutive numbers as gap.length
  function gaps(s) {
    var out = [], prev = 0;
    s.split(",").forEach(function (p) {
      var part = p.split(".");
      prev += parseInt(part[0], 36);
      out.push(prev);
      for (var k = part.length > 1 ? parseInt(part[1], 36) : 1; k > 1; k -= 1) { prev += 1; out.push(prev); }
    });
    return out;
  }
  var decoded = {};
  // The documents containing bigram g; null for a bigram too common to narrow anything.
  function postings(g) {
    if (!Object.prototype.hasOwnProperty.call(decoded, g)) {
      var v = Object.prototype.hasOwnProperty.call(idx.grams, g) ? idx.grams[g] : "";
      decoded[g] = v === 0 ? null : v ? gaps(v) : [];
    }
    return decoded[g];
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i += 1; j += 1; } else if (a[i] < b[j]) { i += 1; } else { j += 1; }
    }
    return out;
  }
  function termsOf(q) { return norm(q).split(SEP).filter(function (t) { return t; }); }

  function find(terms) {
    var cand = null;
    terms.forEach(function (t) {
      var c = chars(t);
      for (var i = 0; i + 1 < c.length; i += 1) {
        var p = postings(c[i] + c[i + 1]);
        if (p !== null) { cand = cand === null ? p : intersect(cand, p); }
      }
    });
    if (cand === null) {  // single characters or common bigrams only: look at every document
      cand = [];
      for (var d = 0; d < total; d += 1) { cand.push(d); }
    }
    return cand.filter(function (d) {
      var t = text(d);
      return terms.every(function (term) { return t.indexOf(term) !== -1; });
    });
  }

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (content) { e.textContent = content; }
    return e;
  }
  // The text with each term marked (when normalizing keeps positions; otherwise plain).
  function marked(parent, raw, terms) {
    var n = norm(raw), ranges = [];
    if (n.length === raw.length) {
      terms.forEach(function (t) {
        var at = n.indexOf(t);
        while (at !== -1) { ranges.push([at, at + t.length]); at = n.indexOf(t, at + t.length); }
      });
    }
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) { return; }
      parent.appendChild(document.createTextNode(raw.slice(pos, r[0])));
      parent.appendChild(el("mark", "", raw.slice(r[0], r[1])));
      pos = r[1];
    });
    parent.appendChild(document.createTextNode(raw.slice(pos)));
    return parent;
  }
  function link(href, raw, terms) {
    var a = el("a");
    a.href = href;
    return marked(a, raw, terms);
  }
  function section(title, count, items) {
    var s = el("section", "search-section");
    s.appendChild(el("h2", "", title + "（" + count + "）"));
    var ul = el("ul", "search-list");
    items.slice(0, LIMIT).forEach(function (li) { ul.appendChild(li); });
    s.appendChild(ul);
    if (items.length > LIMIT) {
      s.appendChild(el("p", "meta", "只显示前 " + LIMIT + " 条，共 " + items.length + " 条；请输入更多字词缩小范围。"));
    }
    box.appendChild(s);
  }
  function instUrl(id) { return idx.links.institution.replace("@", encodeURIComponent(id)); }
  function indUrl(id) { return idx.links.indicator.replace("@", encodeURIComponent(id)); }

  function run(q) {
    box.textContent = "";
    var terms = termsOf(q);
    if (!terms.length) {
      status.textContent = "请输入要查找的机构名称、指标内容或扣分原因。";
      return;
    }
    var found = find(terms);
    var names = [], items = [], byInst = {}, order = [];
    found.forEach(function (d) {
      if (d < nI) {
        names.push(d);
      } else if (d < nI + nD) {
        items.push(d - nI);
      } else {
        var r = rsn[d - nI - nD];
        gaps(r[1]).forEach(function (i) {
          if (!byInst[i]) { byInst[i] = []; order.push(i); }
          byInst[i].push(r[0]);
        });
      }
    });
    order.sort(function (a, b) { return a - b; });
    var shown = "“" + q.trim() + "”";
    if (!names.length && !items.length && !order.length) {
      status.textContent = "没有找到与" + shown + "相关的机构、指标或扣分原因。请减少或更换字词，例如只输入机构名称中的两三个字。";
      return;
    }
    status.textContent = shown + "：名称相符的机构 " + names.length + " 个，相关指标 " + items.length +
      " 项，扣分原因含有这些字词的机构 " + order.length + " 个。";
    if (names.length) {
      section("机构", names.length, names.map(function (i) {
        var li = el("li");
        li.appendChild(link(instUrl(inst[i][0]), inst[i][1], terms));
        li.appendChild(el("span", "search-note", "（" + idx.outcomes[inst[i][2]] + "）"));
        return li;
      }));
    }
    if (items.length) {
      section("指标", items.length, items.map(function (j) {
        var it = ind[j], li = el("li");
        li.appendChild(link(indUrl(it[0]), it[0], terms));
        li.appendChild(document.createTextNode(" "));
        marked(li, it[1] || "（原表缺失）", terms);
        if (it[2] && terms.some(function (t) { return norm(it[2]).indexOf(t) !== -1; })) {
          li.appendChild(el("br"));
          marked(li.appendChild(el("small", "search-rule", "")), "评分要求：" + it[2], terms);
        }
        return li;
      }));
    }
    if (order.length) {
      section("因相关原因扣分的机构", order.length, order.map(function (i) {
        var li = el("li");
        li.appendChild(link(instUrl(inst[i][0]), inst[i][1], []));
        var why = el("span", "search-reasons");
        why.appendChild(document.createTextNode("：扣分原因 "));
        byInst[i].slice(0, 3).forEach(function (reason, k) {
          if (k) { why.appendChild(document.createTextNode("；")); }
          marked(why.appendChild(el("q")), reason, terms);
        });
        if (byInst[i].length > 3) { why.appendChild(document.createTextNode(" 等 " + byInst[i].length + " 条")); }
        li.appendChild(why);
        return li;
      }));
    }
  }

  var q = "";
  try { q = new URLSearchParams(window.location.search).get("q") || ""; } catch (e) { q = ""; }
  input.value = q;
  var header = document.getElementById("site-search-q");
  if (header) { header.value = q; }
  if (q) { run(q); } else { status.textContent = "请输入要查找的机构名称、指标内容或扣分原因。"; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
    try { window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value)); } catch (e) { /* file:// may refuse */ }
  });
}());
