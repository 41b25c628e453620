// Attachment that moves an element to <body>, so popups escape the clipping and
// transforms of the scrolling table they were opened from.
export function portal(node: HTMLElement): () => void {
  document.body.appendChild(node);
  return () => node.remove();
}
