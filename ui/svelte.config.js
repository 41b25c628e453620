// Svelte compiler settings for the Peerdesk UI: runes everywhere, TypeScript via Vite.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
