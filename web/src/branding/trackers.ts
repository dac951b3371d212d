/**
 * The tracker policy: a tracker script is loaded only when the tenant's public branding lists it in
 * `allowedTrackers` (the server lists none for a K-12 tenant, or when the tenant's
 * `third_party_trackers` flag is off; shared/tenancy/model.py `allowed_trackers`) AND this
 * deployment knows its script (`VITE_TRACKER_SCRIPTS`, a JSON object name -> https URL). With no
 * such setting, the app loads no tracker for anyone.
 */
export type TrackerRegistry = Record<string, string>;

export function parseRegistry(raw: string | undefined): TrackerRegistry {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    const out: TrackerRegistry = {};
    for (const [name, url] of Object.entries(parsed)) {
      if (typeof url === "string" && url.startsWith("https://")) out[name] = url;
    }
    return out;
  } catch {
    return {};
  }
}

/** The script URLs to load: only names the tenant allows and the deployment knows, https only. */
export function trackersToLoad(allowed: readonly string[], registry: TrackerRegistry): string[] {
  const urls: string[] = [];
  for (const name of allowed) {
    const url = Object.prototype.hasOwnProperty.call(registry, name) ? registry[name] : undefined;
    if (url && url.startsWith("https://")) urls.push(url);
  }
  return urls;
}

const loaded = new Set<string>();

/** Adds each allowed tracker's script once. Returns what was added (for tests and logs). */
export function applyTrackerPolicy(allowed: readonly string[], registry: TrackerRegistry = parseRegistry(import.meta.env.VITE_TRACKER_SCRIPTS)): string[] {
  const added: string[] = [];
  for (const url of trackersToLoad(allowed, registry)) {
    if (loaded.has(url)) continue;
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.dataset.tracker = "true";
    document.head.appendChild(script);
    loaded.add(url);
    added.push(url);
  }
  return added;
}
