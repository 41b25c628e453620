// Typed calls for the devices commands: routers and their exchange attachments.
import type { NewRouter } from '$lib/bindings/NewRouter';
import type { Router } from '$lib/bindings/Router';
import type { RouterChanges } from '$lib/bindings/RouterChanges';
import { call } from './invoke';

export const listRouters = () => call<Router[]>('list_routers');

export const addRouter = (router: NewRouter) => call<Router>('add_router', { router });

export const updateRouter = (id: number, changes: RouterChanges) =>
  call<Router>('update_router', { id, changes });

export const deleteRouter = (id: number) => call<null>('delete_router', { id });
