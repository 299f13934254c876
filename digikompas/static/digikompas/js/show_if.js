// A question that depends on an answer on the same page is hidden while that answer does not
// call for it. Without this script it stays visible with its note, and the server drops an answer
// the condition does not call for.
document.querySelectorAll("[data-show-if]").forEach(function (question) {
  var form = question.closest("form");
  var name = question.getAttribute("data-show-if");
  var values = JSON.parse(question.getAttribute("data-show-if-values"));
  function update() {
    var chosen = Array.prototype.filter.call(form.elements, function (input) {
      return input.name === name && (input.checked || (input.type !== "radio" && input.type !== "checkbox"));
    }).map(function (input) { return input.value; });
    question.hidden = !chosen.some(function (value) { return values.indexOf(value) !== -1; });
  }
  form.addEventListener("change", update);
  update();
});
