import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';

export function NotFound() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is no such page in the panel. <Link to="/clients">Go to the clients</Link>.
      </p>
    </>
  );
}
