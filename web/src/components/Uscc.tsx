import { Typography } from 'antd';

export const monoFont =
  "ui-monospace, SFMono-Regular, 'JetBrains Mono', Menlo, Consolas, 'Liberation Mono', monospace";

/** A unified social credit code, in monospace (so 0/O and 1/I are told apart), copyable. */
export function Uscc({ value, copyable = true }: { value: string | null | undefined; copyable?: boolean }) {
  if (!value) return <span>—</span>;
  return (
    <Typography.Text
      className="uscc"
      copyable={copyable ? { text: value } : false}
      // may wrap inside a narrow description on a phone rather than push the page wider
      style={{ fontFamily: monoFont, letterSpacing: '0.02em', overflowWrap: 'anywhere' }}
    >
      {value}
    </Typography.Text>
  );
}
