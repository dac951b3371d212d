/** One lesson of the draft: its video (video lessons), quiz settings (quiz lessons), or question drafts from its text. */
import { Link, useParams } from "react-router";
import { useSession } from "../auth/session";
import { t } from "../i18n/messages";
import { Empty, PageTitle } from "../ui";
import { useCourse } from "./CourseLayout";
import { kindLabel } from "./labels";
import { allLessons, parseOutline } from "./outline";
import QuizPanel from "./QuizPanel";
import VideoPanel from "./VideoPanel";
import DraftQuestions from "./DraftQuestions";

export default function LessonPage() {
  const { course } = useCourse();
  const { hasRole } = useSession();
  const { lessonId = "" } = useParams();
  const lesson = allLessons(parseOutline(course.outline)).find((l) => l.id === lessonId);
  const outline = `/instructor/courses/${encodeURIComponent(course.id)}/outline`;
  if (!lesson) {
    return (
      <>
        <PageTitle>{t("instructor.lesson.missingTitle")}</PageTitle>
        <Empty>
          {t("instructor.lesson.missing", { id: lessonId })} <Link to={outline}>{t("instructor.outline.title")}</Link>
        </Empty>
      </>
    );
  }
  return (
    <>
      <PageTitle subtitle={`${kindLabel(lesson.kind)} · ${lesson.id}`}>{lesson.title || lesson.id}</PageTitle>
      <p>
        <Link to={outline}>{t("instructor.lesson.back")}</Link>
      </p>
      {lesson.kind === "video" ? <VideoPanel courseId={course.id} lessonId={lesson.id} /> : null}
      {lesson.kind === "quiz" ? <QuizPanel courseId={course.id} lessonId={lesson.id} /> : null}
      {lesson.kind === "text" || lesson.kind === "scorm" ? <p className="muted">{t("instructor.lesson.editInOutline")}</p> : null}
      {lesson.kind === "text" && lesson.text ? <div className="answer-text">{lesson.text}</div> : null}
      {lesson.kind === "text" && hasRole("Instructor") ? (
        <section className="section" aria-labelledby="drafts-title">
          <h2 id="drafts-title">{t("instructor.drafts.fromText")}</h2>
          <DraftQuestions courseId={course.id} lessonId={lesson.id} />
        </section>
      ) : null}
    </>
  );
}
