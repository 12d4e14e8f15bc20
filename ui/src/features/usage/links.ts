// Links between the License Usage view and the screens it sends the admin to (remediation): the
// filter travels in the address (`/candidates?profile=1&model=2`), and the screen reads it once.
import { useEffect, useState } from "react";
import { useLocation, useSearch } from "wouter";

export function candidatesHref(profileId: number, modelId: number | null): string {
  return withParams("/candidates", profileId, modelId);
}

export function entitlementsHref(profileId: number, modelId: number | null): string {
  return withParams("/entitlements", profileId, modelId);
}

function withParams(path: string, profileId: number, modelId: number | null): string {
  const params = new URLSearchParams({ profile: String(profileId) });
  if (modelId !== null) params.set("model", String(modelId));
  return `${path}?${params.toString()}`;
}

export interface LinkParams {
  profileId: number | null;
  modelId: number | null;
}

function idParam(params: URLSearchParams, name: string): number | null {
  const value = params.get(name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

export function parseLinkParams(search: string): LinkParams {
  const params = new URLSearchParams(search);
  return { profileId: idParam(params, "profile"), modelId: idParam(params, "model") };
}

/**
 * The profile and model a link opened this screen with, read once. The address then drops them:
 * the app's hash address keeps its search part across later navigation, which would filter the
 * next visit to this screen too.
 */
export function useLinkParams(): LinkParams {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const [params] = useState(() => parseLinkParams(search));
  useEffect(() => {
    // "…?" with nothing after it clears the search part (a hash address keeps it otherwise).
    if (search !== "") navigate(`${location}?`, { replace: true });
    // Only the address the screen opened with.
  }, []);
  return params;
}
