// TensorBoard URLs of compute instances: `https://<instance>-<port>.<region>.instances.azureml.ms/…` (the form that
// works from outside a private-link VNet; research/domain-facts.md "CI, URL form"), also `.azureml.net` and the bare
// `<instance>.<region>.instances.azureml.ms`.

export interface TensorBoardUrlReading {
  instance: string;
  port: number | null;
  region: string;
}

const HOST = /^([a-z0-9][a-z0-9-]*)\.([a-z0-9]+)\.instances\.azureml\.(?:ms|net)$/i;

/**
 * The ways a TensorBoard URL can be read, most likely first: a trailing `-<digits>` of the first label is the port
 * (`ci-1-6006` → ci-1, 6006), unless the instance's own name ends that way (`ci-1` with no port). Null when the
 * text is not such a URL.
 */
export function readTensorBoardUrl(text: string): TensorBoardUrlReading[] | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const m = HOST.exec(url.hostname);
  if (!m) return null;
  const [, label, region] = m;
  const readings: TensorBoardUrlReading[] = [];
  const withPort = /^(.+)-(\d{1,5})$/.exec(label);
  if (withPort && Number(withPort[2]) >= 1 && Number(withPort[2]) <= 65535) {
    readings.push({ instance: withPort[1].toLowerCase(), port: Number(withPort[2]), region: region.toLowerCase() });
  }
  readings.push({ instance: label.toLowerCase(), port: null, region: region.toLowerCase() });
  return readings;
}
