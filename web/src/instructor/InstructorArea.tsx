/**
 * The instructor area: its own chunk (loaded with lazy() from routes.tsx, never by a learner).
 * Courses (details, outline, lessons, completion policy, publishing, report), learning paths,
 * question banks, the AI draft review queue and essay grading. Screens are routed below.
 */
import "../i18n/messages.staff";
import { NavLink, Route, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { t } from "../i18n/messages";
import { StaffArea } from "../staff/kit";
import BankPage from "./BankPage";
import BanksPage from "./BanksPage";
import CourseDetailsPage from "./CourseDetailsPage";
import CourseLayout from "./CourseLayout";
import CoursesPage from "./CoursesPage";
import DraftsPage from "./DraftsPage";
import GradeAttemptPage from "./GradeAttemptPage";
import GradingPage from "./GradingPage";
import LessonPage from "./LessonPage";
import OutlinePage from "./OutlinePage";
import PathsPage from "./PathsPage";
import PolicyPage from "./PolicyPage";
import ReportPage from "./ReportPage";

export default function InstructorArea() {
  const { hasRole } = useSession();
  const { pathname } = useLocation();
  const nav = (
    <>
      <NavLink to="/instructor" end className={({ isActive }) => (isActive || pathname.startsWith("/instructor/courses/") ? "active" : "")}>
        {t("instructor.courses")}
      </NavLink>
      <NavLink to="/instructor/paths">{t("instructor.nav.paths")}</NavLink>
      <NavLink to="/instructor/banks">{t("instructor.nav.banks")}</NavLink>
      <NavLink to="/instructor/drafts">{t("instructor.nav.drafts")}</NavLink>
      {hasRole("Instructor") ? <NavLink to="/instructor/grading">{t("instructor.nav.grading")}</NavLink> : null}
    </>
  );
  return (
    <StaffArea title={t("instructor.title")} nav={nav}>
      <Route index element={<CoursesPage />} />
      <Route path="courses/:courseId" element={<CourseLayout />}>
        <Route index element={<CourseDetailsPage />} />
        <Route path="outline" element={<OutlinePage />} />
        <Route path="policy" element={<PolicyPage />} />
        <Route path="report" element={<ReportPage />} />
        <Route path="lessons/:lessonId" element={<LessonPage />} />
      </Route>
      <Route path="paths" element={<PathsPage />} />
      <Route path="banks" element={<BanksPage />} />
      <Route path="banks/:bankId" element={<BankPage />} />
      <Route path="drafts" element={<DraftsPage />} />
      <Route path="grading" element={<GradingPage />} />
      <Route path="grading/:attemptId" element={<GradeAttemptPage />} />
    </StaffArea>
  );
}
