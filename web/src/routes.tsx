/**
 * The app's routes. The learner area is in the main bundle; the instructor and admin areas are
 * each a lazy() chunk, rendered (and so downloaded) only behind RequireRole.
 */
import { lazy } from "react";
import { createBrowserRouter } from "react-router";
import { NotFound, RequireRole, SignedInLayout } from "./layout";
import CatalogPage from "./learner/CatalogPage";
import SignInPage from "./learner/SignInPage";

const InstructorArea = lazy(() => import("./instructor/InstructorArea"));
const AdminArea = lazy(() => import("./admin/AdminArea"));

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignInPage /> },
  {
    path: "/",
    element: <SignedInLayout />,
    children: [
      { index: true, element: <CatalogPage /> },
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
