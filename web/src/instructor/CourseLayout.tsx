/**
 * One course's screens (details, outline, lessons, completion policy, report): the draft is read
 * once here with its ETag and handed to them; a screen that changes it passes the answer back.
 */
import { Link, Outlet, useOutletContext, useParams } from "react-router";
import { ApiProblem } from "../api/problem";
import { api, type Schemas } from "../api/client";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { unwrapTagged, type Tagged } from "../staff/api";
import { StatusTag, Tabs } from "../staff/kit";
import { AsyncView, PageTitle } from "../ui";
import { courseStatusLabel } from "./labels";

export type Course = Schemas["CourseView"];

export interface CourseContext {
  course: Course;
  etag: string | null;
  /** Replace the course with a change's answer (and its new ETag). */
  update(value: Tagged<Course>): void;
  reload(): void;
}

async function loadCourse(courseId: string): Promise<Tagged<Course>> {
  const found = await unwrapTagged(api.GET("/api/v1/courses/{courseId}", { params: { path: { courseId } } }));
  // Authors always get the draft (CourseView); a published version has no status.
  return found as Tagged<Course>;
}

export default function CourseLayout() {
  const { courseId = "" } = useParams();
  const state = useAsync(() => loadCourse(courseId), [courseId]);
  const base = `/instructor/courses/${encodeURIComponent(courseId)}`;
  if (state.error instanceof ApiProblem && state.error.status === 404) {
    return (
      <>
        <PageTitle>{t("instructor.course.notFoundTitle")}</PageTitle>
        <p>{t("instructor.course.notFound", { id: courseId })}</p>
        <Link to="/instructor">{t("instructor.course.all")}</Link>
      </>
    );
  }
  return (
    <AsyncView state={state}>
      {({ data: course, etag }) => {
        const context: CourseContext = { course, etag, update: state.setData, reload: state.reload };
        return (
          <>
            <p className="muted course-crumb">
              {course.title} · <StatusTag status={course.status} label={courseStatusLabel(course.status)} />
            </p>
            <Tabs
              label={t("instructor.course.sections")}
              items={[
                { to: base, label: t("instructor.course.details") },
                { to: `${base}/outline`, label: t("instructor.outline.title"), end: false },
                { to: `${base}/policy`, label: t("instructor.policy.title") },
                { to: `${base}/report`, label: t("instructor.report.title") },
              ]}
            />
            <Outlet context={context} />
          </>
        );
      }}
    </AsyncView>
  );
}

export function useCourse(): CourseContext {
  return useOutletContext<CourseContext>();
}
