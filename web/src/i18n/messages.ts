/**
 * Every user-visible string of the app, in one catalog (English now). Screens call
 * `t("key", { name: value })`; `{name}` placeholders are filled in, numbers formatted with Intl.
 * Adding a language is a second catalog of the same keys.
 */
const en = {
  "app.name": "Learning platform",
  "app.skipToContent": "Skip to content",
  "app.loading": "Loading…",
  "app.notFound": "This page does not exist.",
  "app.notFoundTitle": "Not found",
  "app.backHome": "Back to the catalog",
  "app.forbidden": "Your roles do not include this area.",
  "app.forbiddenTitle": "Not allowed",

  "nav.main": "Main",
  "nav.catalog": "Catalog",
  "nav.myLearning": "My learning",
  "nav.certificates": "Certificates",
  "nav.notifications": "Notifications",
  "nav.notificationsUnread": "Notifications ({count} unread)",
  "nav.instructor": "Instructor",
  "nav.admin": "Admin",
  "nav.signOut": "Sign out",
  "nav.signedInAs": "Signed in as {name}",
  "nav.area": "{area} area",

  "error.unknown": "Something went wrong.",
  "error.unknownTitle": "Error",
  "error.status": "The server answered with status {status}.",
  "error.network": "The server could not be reached. Check the connection and try again.",
  "error.networkTitle": "No connection",
  "error.retry": "Try again",
  "error.fieldsBelow": "Some fields need attention.",

  "signIn.title": "Sign in",
  "signIn.intro": "Choose a demo user of this development platform to sign in as.",
  "signIn.devOnly": "Development sign-in: available on the embedded profile only.",
  "signIn.user": "User",
  "signIn.submit": "Sign in",
  "signIn.submitting": "Signing in…",
  "signIn.noUsers": "No users are registered on this platform yet.",
  "signIn.userOption": "{name} ({userId}) — {roles} — {tenant}",
  "signIn.entraIntro": "Sign in with your organisation's Microsoft account.",
  "signIn.entraSubmit": "Sign in with Microsoft",
  "signIn.entraMisconfigured": "Microsoft sign-in is not configured (authority, client id and API scope are needed).",
  "signIn.sessionExpired": "Your session has ended. Please sign in again.",

  "empty.default": "Nothing here yet.",
  "common.save": "Save",
  "common.cancel": "Cancel",
  "common.previous": "Previous",
  "common.next": "Next",
  "common.page": "Page {page}",
  "common.copy": "Copy",
  "common.copied": "Copied",
  "common.close": "Close",
  "common.required": "required",
  "common.yes": "Yes",
  "common.no": "No",

  "catalog.search": "Search courses",
  "catalog.searchSubmit": "Search",
  "catalog.noResults": "No course matches this search.",
  "catalog.total": "{total} courses",

  "instructor.title": "Instructor",
  "instructor.courses": "Courses",
  "admin.title": "Administration",
  "admin.overview": "Tenant",
} as const;

export type MessageKey = keyof typeof en;
export type MessageVars = Record<string, string | number>;

const catalog: Record<MessageKey, string> = en;
const numberFormat = new Intl.NumberFormat("en");

export function t(key: MessageKey, vars?: MessageVars): string {
  const template = catalog[key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? numberFormat.format(value) : value;
  });
}

export const locale = "en";
