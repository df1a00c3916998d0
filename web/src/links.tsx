/** Mantine's anchors, buttons and nav links as router links: typed `to`/`params`/`search`, client-side navigation. */
import { Anchor, Button, NavLink, type AnchorProps, type ButtonProps, type NavLinkProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import { forwardRef, type AnchorHTMLAttributes } from 'react';

type A = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'color' | 'style'>;

const AnchorA = forwardRef<HTMLAnchorElement, AnchorProps & A>((props, ref) => <Anchor component="a" ref={ref} {...props} />);
const ButtonA = forwardRef<HTMLAnchorElement, ButtonProps & A>((props, ref) => <Button component="a" ref={ref} {...props} />);
const NavLinkA = forwardRef<HTMLAnchorElement, NavLinkProps & A>((props, ref) => <NavLink component="a" ref={ref} {...props} />);

export const RouterAnchor = createLink(AnchorA);
export const RouterButton = createLink(ButtonA);
export const RouterNavLink = createLink(NavLinkA);
