/** A form-wide error (e.g. wrong credentials), announced to screen readers. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return <p class="form-error" role="alert">{message}</p>;
}
