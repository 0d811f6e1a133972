/**
 * Opens photos in the viewer dialog (components/chat/PhotoViewer.tsx) instead of a new
 * tab: one click listener on the message list for every thumbnail, now and later. Escape
 * closes the dialog (the browser's own), and focus goes back to the thumbnail.
 */
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** Wires the thumbnails inside `root` to the viewer while the island is mounted. */
export function usePhotoViewer(root: RefObject<HTMLElement>): void {
  useEffect(() => attachPhotoViewer(root.current!), []);
}

/** Wires thumbnails under `root` to the dialog; returns the function that unwires them. */
export function attachPhotoViewer(root: HTMLElement): () => void {
  const dialog = document.getElementById("photo-viewer") as
    | HTMLDialogElement
    | null;
  if (!dialog) return () => {};
  const image = dialog.querySelector<HTMLImageElement>(".viewer-image")!;
  const download = dialog.querySelector<HTMLAnchorElement>(".viewer-download")!;
  let opener: HTMLElement | null = null;
  const onClick = (event: MouseEvent) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>(
      "a.photo-link",
    );
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    opener = link;
    image.src = link.dataset.full ?? link.href;
    image.alt = link.dataset.name ?? "";
    download.href = link.href;
    download.download = link.dataset.name ?? "";
    dialog.showModal();
  };
  const onClose = () => {
    image.removeAttribute("src");
    opener?.focus();
    opener = null;
  };
  // A click on the backdrop (outside the picture and its bar) closes too.
  const onBackdrop = (event: MouseEvent) => {
    if (event.target === dialog) dialog.close();
  };
  root.addEventListener("click", onClick);
  dialog.addEventListener("close", onClose);
  dialog.addEventListener("click", onBackdrop);
  return () => {
    root.removeEventListener("click", onClick);
    dialog.removeEventListener("close", onClose);
    dialog.removeEventListener("click", onBackdrop);
  };
}
