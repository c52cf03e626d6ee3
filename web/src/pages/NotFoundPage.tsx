/** Shown for a path that names no page. */
export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        This address names no page. Repository pages look like <code>/r/team/api/server</code>.
      </p>
      <a href="/">Go to the repository list</a>
    </section>
  );
}
