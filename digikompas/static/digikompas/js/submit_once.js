// One click is enough: the button turns off so that a double click sends one request (the
// server keeps one response per invitation anyway).
document.getElementById("answer-submit-form").addEventListener("submit", function (event) {
  var button = document.getElementById("answer-submit");
  if (button.disabled) { event.preventDefault(); return; }
  button.disabled = true;
  button.setAttribute("aria-disabled", "true");
});
