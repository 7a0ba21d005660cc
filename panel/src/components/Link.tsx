import type { ReactNode } from 'react';
import { followLink, href } from '../router';

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a href={href(to)} className={className} onClick={(e) => followLink(e, to)}>
      {children}
    </a>
  );
}
