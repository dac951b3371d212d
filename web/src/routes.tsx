/**
 * The app's routes. The learner area is in the main bundle; the instructor and admin areas are
 * each a lazy() chunk, rendered (and so downloaded) only behind RequireRole.
 */
import { lazy } from "react";
import { createBrowserRouter, NavLink } from "react-router";
import { t } from "./i18n/messages";
import { NotFound, PublicLayout, RequireRole, SignedInLayout } from "./layout";
import CatalogPage from "./learner/CatalogPage";
import CoursePage from "./learner/CoursePage";
import LessonPage from "./learner/LessonPage";
import MyLearningPage from "./learner/MyLearningPage";
import { NotificationsProvider, useNotifications } from "./learner/notifications/NotificationsProvider";
import NotificationsPage from "./learner/NotificationsPage";
import SignInPage from "./learner/SignInPage";
import VerifyPage from "./learner/VerifyPage";

const InstructorArea = lazy(() => import("./instructor/InstructorArea"));
const AdminArea = lazy(() => import("./admin/AdminArea"));

function NotificationsLink() {
  const { unread } = useNotifications();
  return (
    <NavLink to="/notifications" aria-label={unread > 0 ? t("nav.notificationsUnread", { count: unread }) : t("nav.notifications")}>
      {t("nav.notifications")}
      {unread > 0 ? (
        <span className="badge" aria-hidden="true" data-testid="unread-badge">
          {unread}
        </span>
      ) : null}
    </NavLink>
  );
}

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignInPage /> },
  {
    element: <PublicLayout />,
    children: [{ path: "/verify/:code", element: <VerifyPage /> }],
  },
  {
    path: "/",
    element: (
      <SignedInLayout navExtra={<NotificationsLink />} wrap={(children) => <NotificationsProvider>{children}</NotificationsProvider>} />
    ),
    children: [
      { index: true, element: <CatalogPage /> },
      { path: "courses/:courseId", element: <CoursePage /> },
      { path: "courses/:courseId/lessons/:lessonId", element: <LessonPage /> },
      { path: "my-learning", element: <MyLearningPage /> },
      { path: "notifications", element: <NotificationsPage /> },
      {
        path: "instructor/*",
        element: (
          <RequireRole roles={["Instructor", "TenantAdmin"]}>
            <InstructorArea />
          </RequireRole>
        ),
      },
      {
        path: "admin/*",
        element: (
          <RequireRole roles={["TenantAdmin", "SupportReadonly"]}>
            <AdminArea />
          </RequireRole>
        ),
      },
    ],
  },
  { path: "*", element: <NotFound /> },
]);
