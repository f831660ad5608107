// tests/clients/node/test_pg.mjs: node-postgres (npm `pg`) against specdb:
// simple and parameterized queries, the JavaScript values pg parses from
// our text and binary results, named prepared statements, error fields,
// transactions, notices, cancel and COPY (npm `pg-copy-streams`).  Run by ctest clients.node_postgres
// through tests/clients/with_servers.py, which sets PGHOST/PGPORT/PGUSER/
// PGDATABASE; `npm ci` in this folder (scripts/install-deps.sh) installs pg.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');

let client;

before(async () => {
  client = new pg.Client({ application_name: 'node_test' });
  await client.connect();
});

after(async () => {
  await client.end();
});

async function errorOf(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the query did not fail');
}

test('simple query, several statements in one', async () => {
  const one = await client.query("SELECT 1 AS one, 'a' AS t");
  assert.deepEqual(one.rows, [{ one: 1, t: 'a' }]);
  assert.equal(one.command, 'SELECT');
  assert.equal(one.rowCount, 1);
  assert.equal(one.fields[0].dataTypeID, 23);
  const many = await client.query('CREATE TABLE simple_t (a int4, b text); ' +
                                   "INSERT INTO simple_t VALUES (1, 'x'), (2, NULL); SELECT * FROM simple_t ORDER BY a");
  assert.equal(many.length, 3);
  assert.equal(many[0].command, 'CREATE');
  assert.equal(many[1].command, 'INSERT');
  assert.equal(many[1].rowCount, 2);
  assert.deepEqual(many[2].rows, [{ a: 1, b: 'x' }, { a: 2, b: null }]);
});

test('parameterized queries', async () => {
  const r = await client.query('SELECT $1::int4 + $2::int4 AS s, $3::text AS t, $4::text IS NULL AS n',
                               [2, '3', 'héllo', null]);
  assert.deepEqual(r.rows[0], { s: 5, t: 'héllo', n: true });
  const arr = await client.query('SELECT $1::int4[] AS a, $2::jsonb AS j, $3::bytea AS b',
                                 [[1, 2, null], { k: [1, 'v'] }, Buffer.from([0, 255, 65])]);
  assert.deepEqual(arr.rows[0].a, [1, 2, null]);
  assert.deepEqual(arr.rows[0].j, { k: [1, 'v'] });
  assert.deepEqual(arr.rows[0].b, Buffer.from([0, 255, 65]));
  const rows = await client.query({ text: 'SELECT $1::int8 AS big, $2::numeric AS num', values: [9007199254740993n.toString(), '-12.30'], rowMode: 'array' });
  assert.deepEqual(rows.rows, [['9007199254740993', '-12.30']]);
});

test('type parsing of results', async () => {
  const r = await client.query(`SELECT 32767::int2 AS i2, 2147483647 AS i4, 9223372036854775807::int8 AS i8,
      123.4500::numeric AS num, 'NaN'::numeric AS nan, 1.5::float4 AS f4, 0.1::float8 AS f8,
      'Infinity'::float8 AS inf, true AS yes, false AS no, NULL::int4 AS nothing,
      '2024-02-29'::date AS d, '2024-06-30 12:34:56.5+02'::timestamptz AS tz,
      '2024-06-30 12:34:56.5'::timestamp AS ts, '1 year 2 mons 3 days 04:05:06'::interval AS iv,
      '{"a": [1, 2.5, null]}'::json AS js, '{"b": true}'::jsonb AS jb,
      '{1,NULL,3}'::int4[] AS ints, '{a,NULL,"b c","x,y"}'::text[] AS texts, '{{1,2},{3,4}}'::int8[] AS grid,
      '\\x00ff41'::bytea AS bytes, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, 'x'::char(3) AS padded`);
  const v = r.rows[0];
  assert.equal(v.i2, 32767);
  assert.equal(v.i4, 2147483647);
  assert.equal(v.i8, '9223372036854775807');
  assert.equal(v.num, '123.4500');
  assert.equal(v.nan, 'NaN');
  assert.equal(v.f4, 1.5);
  assert.equal(v.f8, 0.1);
  assert.equal(v.inf, Infinity);
  assert.equal(v.yes, true);
  assert.equal(v.no, false);
  assert.equal(v.nothing, null);
  assert.ok(v.d instanceof Date);
  assert.equal(v.tz.getTime(), Date.UTC(2024, 5, 30, 10, 34, 56, 500));
  assert.equal(v.ts.getTime(), new Date(2024, 5, 30, 12, 34, 56, 500).getTime());
  assert.deepEqual({ ...v.iv }, { years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6 });
  assert.deepEqual(v.js, { a: [1, 2.5, null] });
  assert.deepEqual(v.jb, { b: true });
  assert.deepEqual(v.ints, [1, null, 3]);
  assert.deepEqual(v.texts, ['a', null, 'b c', 'x,y']);
  assert.deepEqual(v.grid, [['1', '2'], ['3', '4']]);
  assert.deepEqual(v.bytes, Buffer.from([0, 255, 65]));
  assert.equal(v.id, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  assert.equal(v.padded, 'x  ');
  const types = Object.fromEntries(r.fields.map((f) => [f.name, f.dataTypeID]));
  assert.deepEqual([types.i8, types.num, types.tz, types.jb, types.ints, types.texts, types.bytes],
                   [20, 1700, 1184, 3802, 1007, 1009, 17]);
});

test('binary results', async () => {
  const r = await client.query({ text: "SELECT 42::int4 AS a, -7::int8 AS b, 1.5::float8 AS c, true AS d, 'txt'::text AS e, " +
                                       "NULL::int4 AS f, '2024-06-30 10:34:56.5+00'::timestamptz AS g, '{1,NULL,3}'::int4[] AS h",
                                 binary: true });
  const v = r.rows[0];
  assert.equal(v.a, 42);
  assert.equal(String(v.b), '-7');
  assert.equal(v.c, 1.5);
  assert.equal(v.d, true);
  assert.equal(v.e, 'txt');
  assert.equal(v.f, null);
  assert.equal(v.g.getTime(), Date.UTC(2024, 5, 30, 10, 34, 56, 500));
  assert.deepEqual(v.h, [1, null, 3]);
});

test('named prepared statements', async () => {
  await client.query('CREATE TABLE prep_t (id int4, name text)');
  for (const [id, name] of [[1, 'one'], [2, 'two'], [3, 'three']])
    await client.query({ name: 'ins', text: 'INSERT INTO prep_t VALUES ($1, $2)', values: [id, name] });
  const q = { name: 'sel', text: 'SELECT name FROM prep_t WHERE id >= $1 ORDER BY id' };
  assert.deepEqual((await client.query({ ...q, values: [2] })).rows, [{ name: 'two' }, { name: 'three' }]);
  assert.deepEqual((await client.query({ ...q, values: [3] })).rows, [{ name: 'three' }]);
  const err = await errorOf(client.query({ name: 'bad', text: 'SELECT nosuch FROM prep_t', values: [] }));
  assert.equal(err.code, '42703');
});

test('errors carry SQLSTATE, position, detail and hint', async () => {
  let err = await errorOf(client.query('SELECT 1/0'));
  assert.equal(err.code, '22012');
  assert.equal(err.message, 'division by zero');
  assert.equal(err.severity, 'ERROR');
  err = await errorOf(client.query('SELECT nosuchcolumn FROM pg_class'));
  assert.equal(err.code, '42703');
  assert.equal(err.position, '8');
  await client.query('CREATE TABLE err_t (a int4 PRIMARY KEY)');
  await client.query('INSERT INTO err_t VALUES (1)');
  err = await errorOf(client.query('INSERT INTO err_t VALUES ($1)', [1]));
  assert.equal(err.code, '23505');
  assert.equal(err.detail, 'Key (a)=(1) already exists.');
  err = await errorOf(client.query('SELECT nosuchfunction(1)'));
  assert.equal(err.code, '42883');
  assert.match(err.hint, /^No function matches/);
  err = await errorOf(client.query('SELECT $1::int4', ['abc']));
  assert.equal(err.code, '22P02');
  assert.equal((await client.query('SELECT 1 AS ok')).rows[0].ok, 1);
});

test('transactions', async () => {
  await client.query('CREATE TABLE txn_t (a int4)');
  await client.query('BEGIN');
  await client.query('INSERT INTO txn_t VALUES (1)');
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  await client.query('INSERT INTO txn_t VALUES ($1)', [2]);
  await client.query('COMMIT');
  await client.query('BEGIN');
  assert.equal((await errorOf(client.query('SELECT 1/0'))).code, '22012');
  assert.equal((await errorOf(client.query('SELECT 1'))).code, '25P02');
  assert.equal((await client.query('COMMIT')).command, 'ROLLBACK');
  assert.deepEqual((await client.query('SELECT a FROM txn_t')).rows, [{ a: 2 }]);
});

test('notices', async () => {
  const notices = [];
  const listener = (msg) => notices.push(msg);
  client.on('notice', listener);
  await client.query('DROP TABLE IF EXISTS nosuchtable');
  client.off('notice', listener);
  assert.equal(notices.length, 1);
  assert.equal(notices[0].severity, 'NOTICE');
  assert.equal(notices[0].code, '00000');
  assert.equal(notices[0].message, 'table "nosuchtable" does not exist, skipping');
});

test('cancel stops only the canceled session', async () => {
  const victim = new pg.Client();
  const bystander = new pg.Client();
  await victim.connect();
  await bystander.connect();
  try {
    const start = Date.now();
    const sleeping = errorOf(victim.query('SELECT pg_sleep(10)'));
    const other = bystander.query('SELECT pg_sleep(1) IS NULL AS slept');
    await new Promise((resolve) => setTimeout(resolve, 300));
    new pg.Client().cancel(victim, victim.activeQuery);
    const err = await sleeping;
    assert.equal(err.code, '57014');
    assert.equal(err.message, 'canceling statement due to user request');
    assert.ok(Date.now() - start < 5000, 'the cancel took too long');
    assert.deepEqual((await other).rows, [{ slept: false }]);
    assert.equal((await victim.query('SELECT 2 AS after')).rows[0].after, 2);
    // the same from SQL in another session
    const again = errorOf(victim.query('SELECT pg_sleep(10)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const found = await bystander.query('SELECT pg_cancel_backend($1) AS found', [victim.processID]);
    assert.deepEqual(found.rows, [{ found: true }]);
    assert.equal((await again).code, '57014');
  } finally {
    await victim.end();
    await bystander.end();
  }
});

test('statement_timeout', async () => {
  await client.query('SET statement_timeout = 200');
  const err = await errorOf(client.query('SELECT pg_sleep(5)'));
  assert.equal(err.code, '57014');
  assert.equal(err.message, 'canceling statement due to statement timeout');
  await client.query('RESET statement_timeout');
});

async function copyOut(sql) {
  const chunks = [];
  await pipeline(client.query(copyTo(sql)), new Writable({
    write(chunk, encoding, done) {
      chunks.push(chunk);
      done();
    },
  }));
  return Buffer.concat(chunks).toString();
}

test('COPY FROM STDIN and TO STDOUT', async () => {
  await client.query('CREATE TABLE copy_t (id int4, name text, amount numeric)');
  const text = '1\tone\t1.50\n2\ttab \\t and slash \\\\\t\\N\n3\t\\N\t-7\n';
  const into = client.query(copyFrom('COPY copy_t FROM STDIN'));
  await pipeline(Readable.from([text.slice(0, 7), text.slice(7)]), into);
  assert.equal(into.rowCount, 3);
  assert.equal(await copyOut('COPY copy_t TO STDOUT'), text);
  await pipeline(Readable.from(['4,"a, ""quoted"" name",\n']), client.query(copyFrom('COPY copy_t FROM STDIN (FORMAT csv)')));
  assert.equal(await copyOut('COPY (SELECT * FROM copy_t WHERE id = 4) TO STDOUT (FORMAT csv)'), '4,"a, ""quoted"" name",\n');
  const err = await errorOf(pipeline(Readable.from(['5\tfive\tnot a number\n']), client.query(copyFrom('COPY copy_t FROM STDIN'))));
  assert.equal(err.code, '22P02');
  assert.equal((await client.query('SELECT count(*)::int4 AS n FROM copy_t')).rows[0].n, 4);
});
