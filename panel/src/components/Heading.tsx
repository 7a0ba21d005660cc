import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A page's h1. It takes focus when the page opens, so a screen reader announces the new page
 * and the next Tab starts from the top of its content (WCAG 2.4.3).
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (
      document.activeElement === document.body ||
      document.activeElement === null ||
      document.activeElement?.closest('nav, .page-actions')
    ) {
      ref.current?.focus();
    }
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
