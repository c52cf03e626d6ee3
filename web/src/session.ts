import { createResource, createRoot, createSignal, type Resource } from 'solid-js';
import type { User } from '../../core/api/schemas';
import { fetchMe } from './api';

const [user, setUserResource] = createSignal<Resource<User>>();

/** Loads the signed-in user from `/api/me`; call once after sign-in, before the first render. */
export function loadUser(): void {
  createRoot(() => {
    const [resource] = createResource(() => fetchMe());
    setUserResource(() => resource);
  });
}

/** Returns the signed-in user, or undefined while `/api/me` loads or after it failed. */
export function currentUser(): User | undefined {
  const resource = user();
  return resource?.state === 'ready' ? resource() : undefined;
}

/**
 * Tells whether the user may scan and delete. While `/api/me` loads or when it fails, it
 * returns true and the API's own 403 decides, so a failed lookup never hides a control
 * from an administrator.
 */
export function canAdminister(): boolean {
  const current = currentUser();
  return current === undefined || current.roles.includes('admin');
}

/** The text shown on a control that needs the admin role. */
export const ADMIN_ONLY_TEXT = 'Needs the admin role';
