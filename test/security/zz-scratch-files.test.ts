import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { it } from 'vitest';
import { attack, createCanaryWorld } from './files-canary.js';

it('probe files', async () => {
  const w = await createCanaryWorld();
  const r = w.root;
  mkdirSync(path.join(r, 'd/sub'), { recursive: true });
  writeFileSync(path.join(r, 'd/sub/f.txt'), 'inner\n');
  symlinkSync(w.outside, path.join(r, 'd/outdir'));
  symlinkSync(path.join(w.outside, 'secret.txt'), path.join(r, 'd/outfile'));
  symlinkSync('loop', path.join(r, 'loop'));
  execFileSync('mkfifo', [path.join(r, 'fifo')]);
  const srv = net.createServer().listen(path.join(r, 'sock'));
  writeFileSync(path.join(r, '-rf'), 'dash\n');
  writeFileSync(path.join(r, '.env'), 'ENV\n');
  const calls: [string, Record<string, unknown>][] = [
    ['search_files', { path: '.', pattern: '{..,x}/**' }],
    ['search_files', { path: '.', pattern: `${w.outside}/**` }],
    ['search_files', { path: '.', pattern: '**/../../**' }],
    ['search_files', { path: 'd', pattern: '**' }],
    ['search_files', { path: '.', pattern: '**/.env' }],
    ['directory_tree', { path: 'd' }],
    ['directory_tree', { path: '.', excludePatterns: ['{..,x}'] }],
    ['search_file_contents', { path: 'd/outfile', pattern: 'CANARY' }],
    ['search_file_contents', { path: '-rf', pattern: 'dash' }],
    ['search_file_contents', { path: '.', pattern: 'CANARY', include: ['d/outdir/**', 'd/outfile'] }],
    ['search_file_contents', { path: 'sock', pattern: 'x' }],
    ['read_text_file', { path: 'd' }],
    ['read_text_file', { path: 'ok.txt/x' }],
    ['read_text_file', { path: 'loop' }],
    ['read_text_file', { path: 'sock' }],
    ['read_text_file', { path: 'x'.repeat(300) }],
    ['read_text_file', { path: `d/${'x'.repeat(300)}/y` }],
    ['write_file', { path: 'ok.txt/x', content: 'a' }],
    ['write_file', { path: 'sock', content: 'a' }],
    ['write_file', { path: 'fifo', content: 'a' }],
    ['write_file', { path: 'd', content: 'a' }],
    ['edit_file', { path: 'sock', edits: [{ oldText: 'a', newText: 'b' }] }],
    ['get_file_info', { path: 'sock' }],
    ['get_file_info', { path: 'loop' }],
    ['copy_file', { source: 'd', destination: 'dcopy' }],
    ['copy_file', { source: 'fifo', destination: 'fcopy' }],
    ['copy_file', { source: 'sock', destination: 'scopy' }],
    ['copy_file', { source: 'ok.txt', destination: 'd/outdir/new.txt' }],
    ['copy_file', { source: 'ok.txt', destination: 'd/outfile', overwrite: true }],
    ['copy_file', { source: '.', destination: 'rootcopy' }],
    ['copy_file', { source: 'd', destination: 'd/sub/inner' }],
    ['move_file', { source: 'ok.txt', destination: 'd/outdir/moved.txt' }],
    ['move_file', { source: 'd/sub', destination: '.' }],
    ['move_file', { source: 'd/sub', destination: 'd/sub/x' }],
    ['move_file', { source: 'd/sub', destination: w.root }],
    ['move_file', { source: 'd/outfile', destination: 'moved-link' }],
    ['create_directory', { path: 'd/outdir/newdir' }],
    ['create_directory', { path: 'ok.txt/sub' }],
    ['delete_path', { path: 'd/outdir/' }],
    ['delete_path', { path: 'd/outdir/.' }],
    ['delete_path', { path: 'd/outdir/secret.txt' }],
    ['list_directory', { path: 'sock' }],
    ['read_media_file', { path: 'fifo' }],
    ['read_multiple_files', { paths: ['fifo', 'sock', 'loop', 'd', 'd/outfile'] }],
  ];
  for (const [tool, args] of calls) {
    const res = await attack(w, tool, args);
    const s = JSON.stringify(res);
    const flags = [s.includes(w.secret) ? 'SECRET' : '', s.includes(w.outside) ? 'OUTSIDE' : '', /\n\s+at /.test(s) ? 'STACK' : ''].join(' ');
    console.log(tool, JSON.stringify(args).slice(0, 90), '=>', res.isError ? 'ERR' : 'OK', flags, JSON.stringify(res.content).slice(0, 300));
  }
  console.log('outside:', readdirSync(w.outside), 'root:', readdirSync(r), existsSync(path.join(r,'dcopy')) ? readdirSync(path.join(r,'dcopy')) : '');
  srv.close();
  await w.close();
}, 60_000);
