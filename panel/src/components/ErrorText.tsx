/** The server's own message for a failed form (GraphQL `errors[0].message`), as text. */
export function ErrorText({ error, id }: { error: string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error" id={id}>
      {error}
    </p>
  );
}
