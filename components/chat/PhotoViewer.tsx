/**
 * The full-size photo viewer: a modal `<dialog>`, so the browser traps focus and closes it
 * on Escape; client/photo_viewer.ts opens it and puts focus back on the thumbnail.
 */
export function PhotoViewer() {
  return (
    <dialog id="photo-viewer" class="photo-viewer" aria-label="Photo">
      <form method="dialog" class="viewer-bar">
        <a class="viewer-download" href="#" download>Download</a>
        <button type="submit" class="button viewer-close" autofocus>
          Close
        </button>
      </form>
      <img class="viewer-image" alt="" />
    </dialog>
  );
}
