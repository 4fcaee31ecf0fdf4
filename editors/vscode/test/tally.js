// Shared by the manual checks in this folder: `check` prints one line per check and ends the
// run with exit code 1 at the first that fails; `finish` prints the count; `program` is the
// utfall program the command line or $UTFALL names (`utfall` on PATH by default); `root` is the
// repository.
'use strict';

const path = require('node:path');

const given = process.argv[2] || process.env.UTFALL || 'utfall';
const program = given.includes('/') ? path.resolve(given) : given;
const root = path.resolve(__dirname, '../../..');
let passed = 0;

function check(label, ok, detail) {
  if (!ok) {
    console.log(`FAIL ${label}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
    process.exit(1);
  }
  passed += 1;
  console.log(`pass ${label}`);
}

function finish() {
  console.log(`${passed} passed, 0 failed`);
}

module.exports = { check, finish, program, root };
