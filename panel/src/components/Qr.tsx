import { create } from 'qrcode';

/**
 * The otpauth URI as a QR code drawn here, as SVG elements (no image from anywhere, nothing
 * parsed as markup). The URI is also shown as text beside it.
 */
export function Qr({ text, label }: { text: string; label: string }) {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (modules.get(y, x)) d += `M${x + 4} ${y + 4}h1v1h-1z`;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${n + 8} ${n + 8}`}
      width={(n + 8) * 5}
      height={(n + 8) * 5}
    >
      <rect width={n + 8} height={n + 8} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
