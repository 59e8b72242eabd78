// Copies the article as text/html and text/plain: the Clipboard API where it is allowed,
// otherwise a selection and execCommand('copy').
(function () {
  "use strict";
  var button = document.getElementById("copy-article");
  var article = document.getElementById("article");
  var status = document.getElementById("copy-status");
  if (!button || !article) { return; }
  function done(ok) {
    status.textContent = ok ? "已复制，请到公众号编辑器中粘贴。" : "复制失败：请选中文章后按 Ctrl+C 复制。";
  }
  function fallback() {
    var range = document.createRange();
    range.selectNodeContents(article);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    selection.removeAllRanges();
    done(ok);
  }
  button.addEventListener("click", function () {
    var html = article.innerHTML;
    var text = article.innerText;
    if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
      var item = new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([text], { type: "text/plain" })
      });
      navigator.clipboard.write([item]).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
}());
