/** One lesson of a course the learner is enrolled in: the player for its kind, its state, and the way on. */
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { t, type MessageKey } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { AsyncView, Loading, PageTitle } from "../ui";
import { getCourse, lessonsOf, myEnrollment, myProgress, type CourseProgress } from "./data";
import { useNotifications } from "./notifications/NotificationsProvider";
import { onProgressReceipt } from "./progress/service";
import QuizLesson from "./quiz/QuizLesson";
import TextLesson from "./TextLesson";

// The player (and hls.js with it) loads with the first video lesson, not with the app.
const VideoLesson = lazy(() => import("./VideoLesson"));

export default function LessonPage() {
  const { courseId = "", lessonId = "" } = useParams();
  const state = useAsync(async () => {
    const [course, enrollment] = await Promise.all([getCourse(courseId), myEnrollment(courseId)]);
    return { course, enrollment };
  }, [courseId]);
  const [progress, setProgress] = useState<CourseProgress | null>(null);

  const refresh = useCallback(() => {
    myProgress(courseId).then(setProgress, () => undefined);
  }, [courseId]);
  useEffect(() => {
    if (state.data?.enrollment) refresh();
  }, [state.data, refresh]);
  // Each acknowledged progress batch may have changed this course's states, and so may a
  // notification (a quiz grade is counted toward completion after the grade is published).
  useEffect(() => onProgressReceipt(() => refresh()), [refresh]);
  const { items: notifications } = useNotifications();
  const newest = notifications[0]?.id;
  useEffect(() => {
    if (newest && state.data?.enrollment) refresh();
  }, [newest, state.data, refresh]);

  return (
    <AsyncView state={state}>
      {({ course, enrollment }) => {
        const lessons = lessonsOf(course);
        const index = lessons.findIndex((l) => l.id === lessonId);
        const lesson = lessons[index];
        const courseLink = `/courses/${encodeURIComponent(course.id)}`;
        if (!lesson) {
          return (
            <>
              <PageTitle>{t("app.notFoundTitle")}</PageTitle>
              <p>{t("lesson.notFound")}</p>
              <Link to={courseLink}>{t("lesson.backToCourse", { course: course.title })}</Link>
            </>
          );
        }
        if (!enrollment) {
          return (
            <>
              <PageTitle>{lesson.title}</PageTitle>
              <p>{t("lesson.notEnrolled")}</p>
              <Link to={courseLink}>{t("lesson.backToCourse", { course: course.title })}</Link>
            </>
          );
        }
        const states = new Map(progress?.lessons.map((l) => [l.lessonId, l]) ?? []);
        const mine = states.get(lesson.id);
        const unmet = lesson.prerequisites.filter((p) => states.get(p)?.state !== "completed");
        const locked =
          progress && unmet.length > 0
            ? t("lesson.locked", { lessons: unmet.map((p) => lessons.find((l) => l.id === p)?.title ?? p).join(", ") })
            : null;
        const previous = lessons[index - 1];
        const next = lessons[index + 1];
        const link = (id: string) => `${courseLink}/lessons/${encodeURIComponent(id)}`;
        return (
          <>
            <nav aria-label={t("lesson.breadcrumb")} className="breadcrumb">
              <Link to={courseLink}>{course.title}</Link>
            </nav>
            <PageTitle subtitle={t(`lessonKind.${lesson.kind}` as MessageKey)}>{lesson.title}</PageTitle>
            <p className="muted" role="status" data-testid="lesson-state">
              {t("lesson.status", { state: t(`lessonState.${mine?.state ?? "not_started"}` as MessageKey) })}
            </p>
            {lesson.kind === "video" ? (
              <Suspense fallback={<Loading />}>
                <VideoLesson courseId={course.id} lessonId={lesson.id} position={mine?.position ?? null} onProgress={refresh} />
              </Suspense>
            ) : lesson.kind === "text" ? (
              <TextLesson courseId={course.id} lesson={lesson} completed={mine?.state === "completed"} onProgress={refresh} />
            ) : lesson.kind === "quiz" ? (
              <QuizLesson courseId={course.id} lessonId={lesson.id} locked={locked} onProgress={refresh} />
            ) : (
              <p className="state state-empty">{t("lesson.scormUnsupported")}</p>
            )}
            {progress && progress.state === "completed" ? (
              <p className="state state-ok" role="status">
                {t("lesson.courseCompleted")} <Link to="/my-learning">{t("lesson.seeCertificate")}</Link>
              </p>
            ) : null}
            <nav aria-label={t("lesson.pager")} className="pager lesson-pager">
              {previous ? <Link to={link(previous.id)}>{t("lesson.previous", { title: previous.title })}</Link> : <span />}
              {next ? <Link to={link(next.id)}>{t("lesson.next", { title: next.title })}</Link> : null}
            </nav>
          </>
        );
      }}
    </AsyncView>
  );
}
