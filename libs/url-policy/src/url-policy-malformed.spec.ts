import { UrlPolicy } from './url-policy.class';

describe('UrlPolicy.checkUrl malformed flag', () => {
  const policy = new UrlPolicy({ allowedCidrs: [] });

  it('marks text that is not a URL as malformed', () => {
    expect(policy.checkUrl('not a url')).toMatchObject({ ok: false, malformed: true });
    expect(policy.checkUrl('')).toMatchObject({ ok: false, malformed: true });
  });

  it('does not mark URLs the policy refuses as malformed', () => {
    for (const url of ['http://10.0.0.1/x', 'ftp://example.com/', 'http://user:pw@example.com/']) {
      const verdict = policy.checkUrl(url);
      expect(verdict.ok).toBe(false);
      expect(verdict).not.toHaveProperty('malformed');
    }
  });
});
