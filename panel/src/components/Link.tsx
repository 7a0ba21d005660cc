import type { ReactNode } from 'react';
import { followLink, href, useLocation } from '../router';

/** A link within the panel; `aria-current="page"` when it names the page shown. */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { path } = useLocation();
  const target = to.split('?')[0];
  const here = target === path || (target === '/clients' && path === '/');
  return (
    <a
      href={href(to)}
      className={className}
      aria-current={here ? 'page' : undefined}
      onClick={(e) => followLink(e, to)}
    >
      {children}
    </a>
  );
}
