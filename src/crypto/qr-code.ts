import QRCode from 'qrcode';

/** The otpauth URI as a PNG data URL and as an SVG document, for scanning by an authenticator app. */
export async function renderQrCode(uri: string): Promise<{ dataUrl: string; svg: string }> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const [dataUrl, svg] = await Promise.all([
    QRCode.toDataURL(uri, { ...options, width: 256 }),
    QRCode.toString(uri, { ...options, type: 'svg' }),
  ]);
  return { dataUrl, svg };
}
