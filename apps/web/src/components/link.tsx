import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { navigate, usePathname } from "../router/router.js";

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** A real anchor (so middle-click and "open in new tab" work) that navigates in-app on a plain click. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const pathname = usePathname();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} aria-current={pathname === href ? "page" : undefined} onClick={handleClick} {...rest} />;
}
