/**
 * The instructor area: its own chunk (loaded with lazy() from routes.tsx, never by a learner).
 * Screens of this area go in this folder and are routed below.
 */
import { NavLink, Route, Routes } from "react-router";
import { api, unwrap } from "../api/client";
import { t } from "../i18n/messages";
import { AreaLayout } from "../layout";
import { useAsync } from "../lib/useAsync";
import { AsyncView, PageTitle } from "../ui";

function CourseList() {
  const courses = useAsync(() => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: 50 } } })), []);
  return (
    <>
      <PageTitle>{t("instructor.courses")}</PageTitle>
      <AsyncView state={courses} isEmpty={(page) => page.items.length === 0}>
        {(page) => (
          <ul className="list">
            {page.items.map((course) => (
              <li key={course.id}>
                <strong>{course.title}</strong> <span className="muted">{course.status ?? ""}</span>
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
    </>
  );
}

export default function InstructorArea() {
  return (
    <AreaLayout title={t("instructor.title")} nav={<NavLink to="/instructor" end>{t("instructor.courses")}</NavLink>}>
      <Routes>
        <Route index element={<CourseList />} />
      </Routes>
    </AreaLayout>
  );
}
