/** --dashboard-open: the command chosen for each environment (BROWSER first, then the platform's opener). */
import { describe, expect, test } from 'vitest';
import { openerCommand } from '../../../runtime/output/dashboard/open-browser.js';

const URL_ = 'http://127.0.0.1:4242/';

describe('openerCommand', () => {
  test('BROWSER is a command line: the URL is appended, or put where %s is', () => {
    expect(openerCommand(URL_, { BROWSER: 'firefox' }, 'linux')).toEqual(['firefox', URL_]);
    expect(openerCommand(URL_, { BROWSER: '/opt/b/chrome --new-window' }, 'linux')).toEqual(['/opt/b/chrome', '--new-window', URL_]);
    expect(openerCommand(URL_, { BROWSER: 'wrap --url=%s --x' }, 'linux')).toEqual(['wrap', `--url=${URL_}`, '--x']);
  });

  test('BROWSER wins over the platform opener, also with no desktop; the first entry of a list is used', () => {
    expect(openerCommand(URL_, { BROWSER: 'w3m' }, 'darwin')).toEqual(['w3m', URL_]);
    expect(openerCommand(URL_, { BROWSER: ':lynx:w3m' }, 'linux')).toEqual(['lynx', URL_]);
  });

  test('BROWSER=none opens nothing, and says why', () => {
    expect(openerCommand(URL_, { BROWSER: 'none', DISPLAY: ':0' }, 'linux')).toEqual({ reason: 'BROWSER=none' });
  });

  test('without BROWSER: open, start, xdg-open with a desktop, nothing without one', () => {
    expect(openerCommand(URL_, {}, 'darwin')).toEqual(['open', URL_]);
    expect(openerCommand(URL_, {}, 'win32')).toEqual(['cmd', '/c', 'start', '', URL_]);
    expect(openerCommand(URL_, { DISPLAY: ':0' }, 'linux')).toEqual(['xdg-open', URL_]);
    expect(openerCommand(URL_, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual(['xdg-open', URL_]);
    expect(openerCommand(URL_, { BROWSER: '' }, 'linux')).toMatchObject({ reason: expect.stringMatching(/no desktop/) });
  });
});
