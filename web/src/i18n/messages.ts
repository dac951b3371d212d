/**
 * Every user-visible string of the app, in one catalog (English now). Screens call
 * `t("key", { name: value })`; `{name}` placeholders are filled in, numbers formatted with Intl.
 * Adding a language is a second catalog of the same keys.
 */
import type { staffMessages } from "./messages.staff";

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
  "error.fieldsBelow": "Some fields need attention: see the messages beside them.",

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
  "catalog.searchForm": "Course search",
  "catalog.noResults": "No course matches this search.",
  "catalog.total.one": "{count} course",
  "catalog.total.other": "{count} courses",
  "catalog.filters": "Filters",
  "catalog.level": "Level",
  "catalog.anyLevel": "Any level",
  "catalog.language": "Language code",
  "catalog.languagePlaceholder": "e.g. en",
  "catalog.taggedWith": "Tagged “{tag}”.",
  "catalog.clearTag": "Show all tags",
  "catalog.tags": "Tags",
  "catalog.matchingLessons": "Lessons:",
  "catalog.pages": "Result pages",
  "catalog.pageOf": "Page {page} of {pages}",

  "level.beginner": "Beginner",
  "level.intermediate": "Intermediate",
  "level.advanced": "Advanced",

  "lessonKind.video": "Video",
  "lessonKind.text": "Reading",
  "lessonKind.quiz": "Quiz",
  "lessonKind.scorm": "SCORM package",
  "lessonState.not_started": "Not started",
  "lessonState.in_progress": "In progress",
  "lessonState.completed": "Completed",
  "enrollmentStatus.active": "Enrolled",
  "enrollmentStatus.completed": "Completed",
  "enrollmentStatus.cancelled": "Cancelled",
  "certificateStatus.valid": "Valid",
  "certificateStatus.revoked": "Revoked",

  "course.level": "Level",
  "course.language": "Language",
  "course.duration": "Duration",
  "course.minutes.one": "{count} minute",
  "course.minutes.other": "{count} minutes",
  "course.version": "Version",
  "course.prerequisites": "Prerequisites",
  "course.enrollment": "Enrollment",
  "course.enroll": "Enroll",
  "course.enrolling": "Enrolling…",
  "course.enrolled": "You are enrolled in this course.",
  "course.completed": "You have completed this course.",
  "course.noSelfEnrollment": "This course is assigned by your organisation; you cannot enroll yourself.",
  "course.blockedTitle": "You cannot enroll yet.",
  "course.blockedIntro": "Complete these courses first:",
  "course.progressLabel": "Course progress",
  "course.start": "Start with {lesson}",
  "course.continue": "Continue with {lesson}",
  "course.percentDone": "{percent} of the required lessons completed",
  "course.outline": "Outline",
  "course.noLessons": "This course has no lessons yet.",
  "course.lessonAfter": "after {lessons}",

  "lesson.status": "Status: {state}",
  "lesson.notFound": "This course has no such lesson.",
  "lesson.notEnrolled": "Enroll in the course to take its lessons.",
  "lesson.backToCourse": "Back to {course}",
  "lesson.breadcrumb": "Course",
  "lesson.locked": "Complete {lessons} first.",
  "lesson.pager": "Lessons",
  "lesson.previous": "← {title}",
  "lesson.next": "{title} →",
  "lesson.scormUnsupported": "SCORM packages are not played in the web app yet.",
  "lesson.courseCompleted": "You have completed this course.",
  "lesson.seeCertificate": "See your certificate",

  "video.label": "Lesson video",
  "video.captions": "Captions",
  "video.resumed": "Resumed at {position}.",
  "video.unsupported": "This browser cannot play the video.",
  "video.playbackFailed": "The video could not be played. Reload the page to try again.",
  "video.waiting": "The video is being prepared; this page updates by itself.",
  "videoStatus.none": "No video has been uploaded for this lesson yet.",
  "videoStatus.validating": "The video is being checked.",
  "videoStatus.queued": "The video is waiting to be processed.",
  "videoStatus.processing": "The video is being processed.",
  "videoStatus.ready": "The video is ready.",
  "videoStatus.failed": "The video could not be processed.",

  "text.empty": "This lesson has no text.",
  "text.markRead": "Mark as read",
  "text.marking": "Saving…",
  "text.marked": "Marked as read.",
  "text.queued": "Saved on this device; it will be sent when the connection is back.",

  "quiz.intro": "The questions are drawn when you start. Your answers are saved as you go.",
  "quiz.start": "Start the quiz",
  "quiz.starting": "Starting…",
  "quiz.attemptOf": "Attempt {number} of {allowed}",
  "quiz.timeLeft": "Time left: {time}",
  "quiz.questionNumber": "Question {n}.",
  "quiz.points.one": "{count} point",
  "quiz.points.other": "{count} points",
  "quiz.pickAll": "Pick every correct answer.",
  "quiz.true": "True",
  "quiz.false": "False",
  "quiz.yourAnswer": "Your answer",
  "quiz.saving": "Saving answers…",
  "quiz.saved": "All answers saved.",
  "quiz.saveFailed": "The last answers could not be saved; they are sent again with the next change.",
  "quiz.answered": "{answered} of {total} questions answered.",
  "quiz.submit": "Submit answers",
  "quiz.submitting": "Submitting…",
  "quiz.passed": "Passed",
  "quiz.notPassed": "Not passed",
  "quiz.score.one": "Score {score} ({points} of {count} point).",
  "quiz.score.other": "Score {score} ({points} of {count} points).",
  "quiz.gradedAt": "Graded {when}.",
  "quiz.awarded": "{awarded} / {points}",
  "quiz.awaitingGrading": "Your answers are submitted; an instructor grades the written answers.",
  "quiz.expiredSaved": "The time ran out: the attempt was graded with the answers saved by then.",
  "quiz.retake": "Try again",

  "my.courses": "My courses",
  "my.noCourses": "You are not enrolled in any course.",
  "my.browse": "Browse the catalog",
  "my.enrolledOn": "enrolled {date}",
  "my.due": "due {date}",
  "my.progressOf": "Progress in {course}",
  "my.missing": "Still to do:",
  "my.completedOn": "Completed {date}.",
  "my.certificates": "Certificates",
  "my.noCertificates": "No certificate yet: complete a course to earn one.",
  "my.issuedOn": "issued {date}",
  "my.downloadPdf": "Download PDF",
  "my.downloading": "Downloading…",
  "my.verificationLink": "Public verification link",
  "my.copyLink": "Copy link",
  "my.openVerification": "Open the verification page",

  "notifications.unread": "{count} unread",
  "notifications.unreadMark": "Unread:",
  "notifications.markRead": "Mark as read",
  "notifications.markAllRead": "Mark all as read",
  "notifications.none": "No notifications.",
  "notifications.mode.connecting": "Connecting for live updates…",
  "notifications.mode.live": "Live: new notifications appear here.",
  "notifications.mode.polling": "Checking for new notifications every few seconds.",
  "notifications.mode.stopped": "Live updates stopped.",

  "verify.title": "Certificate verification",
  "verify.valid": "This certificate is genuine and valid.",
  "verify.revoked": "This certificate was revoked {date}.",
  "verify.unknown": "No certificate has this verification code.",
  "verify.holder": "Holder",
  "verify.course": "Course",
  "verify.completed": "Completed",
  "verify.issued": "Issued",
  "verify.issuer": "Issuer",
  "verify.reason": "Reason",
  "verify.credential": "Signed credential",
  "verify.credentialHint": "A signed token anyone can check against the issuer's published keys.",
  "verify.keys": "The issuer's public keys",

  "instructor.title": "Instructor",
  "instructor.courses": "Courses",
  "admin.title": "Administration",
  "admin.overview": "Tenant",
} as const;

/**
 * The instructor and admin areas' section of the catalog lives in messages.staff.ts and joins it
 * when their chunk loads (`addMessages`), so a learner's first load carries none of their strings.
 */
export type MessageKey = keyof typeof en | keyof typeof staffMessages;
export type MessageVars = Record<string, string | number>;

const catalog: Record<string, string> = { ...en };
const numberFormat = new Intl.NumberFormat("en");

export function addMessages(section: Record<string, string>): void {
  Object.assign(catalog, section);
}

export function t(key: MessageKey, vars?: MessageVars): string {
  const template = catalog[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? numberFormat.format(value) : value;
  });
}

export const locale = "en";

const pluralRules = new Intl.PluralRules(locale);
type PluralBase = { [K in MessageKey]: K extends `${infer B}.one` ? B : never }[MessageKey];

/** The singular or plural message for `count` (keys `<base>.one` and `<base>.other`), `{count}` filled in. */
export function tp(base: PluralBase, count: number, vars?: MessageVars): string {
  const form = pluralRules.select(count) === "one" ? "one" : "other";
  return t(`${base}.${form}` as MessageKey, { count, ...vars });
}
