// Showing a form's error: one message in the form's alert, the field it is about marked invalid and
// focused.

/** A function (message, field?) that shows `message` in the `error` element and marks `field`. */
export function errorShower(error) {
  return (message, field) => {
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  };
}
