import { scriptInterpreter } from '../../activities/publish-potential/pacemaker-version';

// Only a first line that names a Python interpreter on its own is read as one: anything else (env, a shell
// wrapper, a compiled binary) falls back to asking `pacemaker --version`.
test.each([
  ['#!/opt/venv/bin/python', '/opt/venv/bin/python'],
  ['#!/usr/bin/python3.11', '/usr/bin/python3.11'],
  ['#! /opt/venv/bin/python3 ', '/opt/venv/bin/python3'],
  ['#!/usr/bin/env python3', undefined],
  ['#!/bin/bash', undefined],
  ['\u007fELF\u0002\u0001', undefined],
  ['', undefined],
])('the interpreter of a console script whose first line is %j is %j', (line, interpreter) => {
  expect(scriptInterpreter(line)).toBe(interpreter);
});
