import { expect } from 'chai';
import { UrlNotAllowedError } from '../../container/src/errors.ts';
import { UrlGuard, parseAllowedOrigin, type Resolver } from '../../container/src/url-guard.ts';

/** Resolves every name to the given addresses, standing in for DNS (incl. a rebinding answer). */
const resolvesTo = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

function lookup(guard: UrlGuard, url: string): Promise<string> {
  const { origin } = guard.checkUrl(url);
  return new Promise((resolve, reject) =>
    guard.lookupFor(origin)(new URL(url).hostname, {}, (err, address) => (err ? reject(err) : resolve(address as string))),
  );
}

describe('container: SSRF guard', () => {
  it('parses allowed origins: a bare host means https on 443', () => {
    expect(parseAllowedOrigin('ocp.example.com')).to.deep.equal({ protocol: 'https:', hostname: 'ocp.example.com', port: 443 });
    expect(parseAllowedOrigin('http://127.0.0.1:4010')).to.deep.equal({ protocol: 'http:', hostname: '127.0.0.1', port: 4010 });
    expect(() => parseAllowedOrigin('ftp://x')).to.throw(/http or https/);
    expect(() => parseAllowedOrigin('https://x/path')).to.throw(/scheme, host and optional port/);
  });

  it('accepts only the allowed scheme, host and port', () => {
    const guard = new UrlGuard(['ocp.example.com'], 'deny', resolvesTo('93.184.216.34'));
    expect(guard.checkUrl('https://OCP.example.com/exports/1.zip?sig=x').origin.hostname).to.equal('ocp.example.com');
    for (const bad of [
      'http://ocp.example.com/x.zip',
      'https://ocp.example.com:8443/x.zip',
      'https://evil.example.com/x.zip',
      'https://ocp.example.com.evil.net/x.zip',
      'file:///etc/passwd',
      'https://user:pw@ocp.example.com/x.zip',
      'not a url',
    ])
      expect(() => guard.checkUrl(bad), bad).to.throw(UrlNotAllowedError);
  });

  it('refuses an allowed name that resolves to a private, loopback or metadata address', async () => {
    for (const address of ['10.0.0.5', '127.0.0.1', '169.254.169.254', '192.168.1.1', '172.20.0.1', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe']) {
      const guard = new UrlGuard(['ocp.example.com'], 'loopback-hosts', resolvesTo('93.184.216.34', address));
      await lookup(guard, 'https://ocp.example.com/x.zip').then(
        () => expect.fail(`${address} was allowed`),
        (err) => expect(err, address).to.be.instanceOf(UrlNotAllowedError),
      );
    }
    const ok = new UrlGuard(['ocp.example.com'], 'deny', resolvesTo('93.184.216.34'));
    expect(await lookup(ok, 'https://ocp.example.com/x.zip')).to.equal('93.184.216.34');
  });

  it('allows loopback only for a loopback origin under the default policy, and never under "deny"', async () => {
    const local = new UrlGuard(['http://127.0.0.1:4010', 'http://localhost:4010'], 'loopback-hosts', resolvesTo('127.0.0.1'));
    expect(local.checkUrl('http://127.0.0.1:4010/x.zip').url.port).to.equal('4010');
    expect(await lookup(local, 'http://localhost:4010/x.zip')).to.equal('127.0.0.1');
    // A loopback origin still may not reach other private ranges.
    const rebinding = new UrlGuard(['http://localhost:4010'], 'loopback-hosts', resolvesTo('10.1.2.3'));
    await lookup(rebinding, 'http://localhost:4010/x.zip').then(
      () => expect.fail('private address allowed'),
      (err) => expect(err).to.be.instanceOf(UrlNotAllowedError),
    );
    const strict = new UrlGuard(['http://127.0.0.1:4010'], 'deny');
    expect(() => strict.checkUrl('http://127.0.0.1:4010/x.zip')).to.throw(UrlNotAllowedError, /DOWNLOAD_PRIVATE_ADDRESSES is "deny"/);
  });

  it('allows private addresses only when told to (OCP behind a VPC endpoint)', async () => {
    const guard = new UrlGuard(['ocp.internal'], 'allow', resolvesTo('10.0.0.5'));
    expect(await lookup(guard, 'https://ocp.internal/x.zip')).to.equal('10.0.0.5');
    expect(() => guard.checkUrl('https://other.internal/x.zip')).to.throw(UrlNotAllowedError);
  });
});
