import { type GrafanaTheme2 } from '@grafana/data';
import { type NodeKind } from '../model';

export interface Palette {
  background: string;
  card: string;
  cardBorder: string;
  text: string;
  textWeak: string;
  edge: string;
  labelBg: string;
  primary: string;
  warning: string;
  error: string;
  /** Error-coloured text on the map's background (the theme's text shade of error, readable in dark mode). */
  errorText: string;
  /** Compare: a link or node that got better. */
  success: string;
  kinds: Record<NodeKind, string>;
  /** Pinpoint histogram bar colours: ≤1 s, ≤3 s, ≤5 s, slow, error. */
  histogram: { le1s: string; le3s: string; le5s: string; slow: string; error: string };
  fontFamily: string;
}

/** Every colour comes from the Grafana theme so the map follows light and dark mode. */
export function paletteFromTheme(theme: GrafanaTheme2): Palette {
  const viz = (name: string) => theme.visualization.getColorByName(name);
  return {
    background: theme.colors.background.primary,
    card: theme.colors.background.secondary,
    cardBorder: theme.colors.border.medium,
    text: theme.colors.text.primary,
    textWeak: theme.colors.text.secondary,
    edge: theme.colors.text.disabled,
    labelBg: theme.colors.background.primary,
    primary: theme.colors.primary.main,
    warning: theme.colors.warning.main,
    error: theme.colors.error.main,
    errorText: theme.colors.error.text,
    success: theme.colors.success.main,
    kinds: {
      user: viz('blue'),
      service: viz('green'),
      database: viz('purple'),
      cache: viz('orange'),
      messaging: viz('yellow'),
      external: theme.colors.text.secondary,
    },
    histogram: { le1s: viz('green'), le3s: viz('blue'), le5s: viz('purple'), slow: viz('orange'), error: viz('red') },
    fontFamily: theme.typography.fontFamily,
  };
}
