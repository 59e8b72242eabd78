// The preview shows the article in an iframe (its own document: the site's CSS does not reach it).
// The button copies that article as text/html and text/plain: the Clipboard API where it is
// allowed, otherwise execCommand('copy') with the data set in the copy event.
(function () {
  "use strict";
  var button = document.getElementById("copy-article");
  var frame = document.getElementById("article-frame");
  var status = document.getElementById("copy-status");
  if (!button || !frame) { return; }
  function articleElement() {
    var doc = frame.contentDocument;
    return doc && doc.body ? doc.body.querySelector("section") : null;
  }
  function fit() {
    var doc = frame.contentDocument;
    if (doc && doc.documentElement) {
      frame.style.height = (doc.documentElement.scrollHeight + 2) + "px";
    }
  }
  frame.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fit(); }
  function done(ok) {
    status.textContent = ok ? "已复制，请到公众号编辑器中粘贴。" : "复制失败：请在文章中全选后按 Ctrl+C 复制。";
  }
  function fallback(html, text) {
    function onCopy(event) {
      event.clipboardData.setData("text/html", html);
      event.clipboardData.setData("text/plain", text);
      event.preventDefault();
    }
    document.addEventListener("copy", onCopy);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.removeEventListener("copy", onCopy);
    done(ok);
  }
  button.addEventListener("click", function () {
    var article = articleElement();
    if (!article) { done(false); return; }
    var html = article.outerHTML;
    var text = article.innerText;
    if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
      var item = new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([text], { type: "text/plain" })
      });
      navigator.clipboard.write([item]).then(function () { done(true); }, function () { fallback(html, text); });
    } else {
      fallback(html, text);
    }
  });
}());
