#!/usr/bin/env node
// Independent check of an 837P 005010X222A1 file for Portal's tests. It shares no code with the C# writer:
// node-x12 parses the file strictly (envelopes, SE01 against the segment count), then the tables below describe the
// implementation guide's loops (segment order, usage R/S, repeats), elements (required, min/max length, code values),
// and the walker checks HL numbering, counts, control numbers and the claim's internal consistency.
// Usage: node validate-837p.js file.x12 [more files]   exit 0 = valid, 1 = errors (printed one per line).
'use strict'
const fs = require('fs')
const { X12Parser } = require('node-x12')

// Element rules: [position, required, min, max, codes?]. Composite elements give the component (e.g. '5-1').
const el = (pos, req, min, max, codes) => ({ pos, req, min, max, codes })
const ID = ['46']
const SEGMENTS = {
  ST: [el(1, true, 3, 3, ['837']), el(2, true, 4, 9), el(3, true, 1, 35, ['005010X222A1'])],
  BHT: [el(1, true, 4, 4, ['0019']), el(2, true, 2, 2, ['00', '18']), el(3, true, 1, 50), el(4, true, 8, 8), el(5, true, 4, 8), el(6, true, 2, 2, ['31', 'CH', 'RP'])],
  'NM1*41': [el(1, true, 2, 3, ['41']), el(2, true, 1, 1, ['1', '2']), el(3, true, 1, 60), el(4, false, 1, 35), el(8, true, 1, 2, ID), el(9, true, 2, 80)],
  PER: [el(1, true, 2, 2, ['IC']), el(2, false, 1, 60), el(3, true, 2, 2, ['EM', 'FX', 'TE']), el(4, true, 1, 256)],
  'NM1*40': [el(1, true, 2, 3, ['40']), el(2, true, 1, 1, ['2']), el(3, true, 1, 60), el(8, true, 1, 2, ID), el(9, true, 2, 80)],
  HL: [el(1, true, 1, 12), el(2, false, 1, 12), el(3, true, 1, 2, ['20', '22', '23']), el(4, true, 1, 1, ['0', '1'])],
  'PRV*BI': [el(1, true, 1, 3, ['BI']), el(2, true, 2, 3, ['PXC']), el(3, true, 10, 10)],
  'NM1*85': [el(1, true, 2, 3, ['85']), el(2, true, 1, 1, ['1', '2']), el(3, true, 1, 60), el(4, false, 1, 35), el(8, true, 1, 2, ['XX']), el(9, true, 10, 10)],
  N3: [el(1, true, 1, 55), el(2, false, 1, 55)],
  N4: [el(1, true, 2, 30), el(2, false, 2, 2), el(3, false, 3, 15)],
  'REF*EI': [el(1, true, 2, 3, ['EI', 'SY']), el(2, true, 9, 9)],
  'NM1*87': [el(1, true, 2, 3, ['87']), el(2, true, 1, 1, ['1', '2'])],
  SBR: [el(1, true, 1, 1, ['P', 'S', 'T', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'U']), el(2, false, 2, 2, ['01', '18', '19', '20', '21', '39', '40', '53', 'G8']), el(3, false, 1, 50), el(4, false, 1, 60),
    el(9, true, 1, 2, ['11', '12', '13', '14', '15', '16', '17', 'AM', 'BL', 'CH', 'CI', 'DS', 'FI', 'HM', 'LM', 'MA', 'MB', 'MC', 'OF', 'TV', 'VA', 'WC', 'ZZ'])],
  'NM1*IL': [el(1, true, 2, 3, ['IL']), el(2, true, 1, 1, ['1', '2']), el(3, true, 1, 60), el(4, false, 1, 35), el(5, false, 1, 25), el(7, false, 1, 10), el(8, true, 1, 2, ['II', 'MI']), el(9, true, 2, 80)],
  DMG: [el(1, true, 2, 3, ['D8']), el(2, true, 8, 8), el(3, true, 1, 1, ['F', 'M', 'U'])],
  'NM1*PR': [el(1, true, 2, 3, ['PR']), el(2, true, 1, 1, ['2']), el(3, true, 1, 60), el(8, true, 1, 2, ['PI', 'XV']), el(9, true, 2, 80)],
  PAT: [el(1, true, 2, 2, ['01', '19', '20', '21', '39', '40', '53', 'G8'])],
  'NM1*QC': [el(1, true, 2, 3, ['QC']), el(2, true, 1, 1, ['1']), el(3, true, 1, 60), el(4, false, 1, 35)],
  CLM: [el(1, true, 1, 38), el(2, true, 1, 18), el('5-1', true, 1, 2), el('5-2', true, 1, 2, ['B']), el('5-3', true, 1, 1, ['1', '7', '8']),
    el(6, true, 1, 1, ['Y', 'N']), el(7, true, 1, 1, ['A', 'B', 'C']), el(8, true, 1, 1, ['N', 'W', 'Y']), el(9, true, 1, 1, ['I', 'Y'])],
  'REF*G1': [el(1, true, 2, 3, ['G1']), el(2, true, 1, 50)],
  'REF*F8': [el(1, true, 2, 3, ['F8']), el(2, true, 1, 50)],
  HI: [el('1-1', true, 1, 3, ['ABK', 'BK']), el('1-2', true, 1, 30)],
  'NM1*DN': [el(1, true, 2, 3, ['DN', 'P3']), el(2, true, 1, 1, ['1']), el(3, true, 1, 60), el(8, false, 1, 2, ['XX']), el(9, false, 10, 10)],
  'NM1*82': [el(1, true, 2, 3, ['82']), el(2, true, 1, 1, ['1', '2']), el(3, true, 1, 60), el(8, false, 1, 2, ['XX']), el(9, false, 10, 10)],
  'PRV*PE': [el(1, true, 1, 3, ['PE']), el(2, true, 2, 3, ['PXC']), el(3, true, 10, 10)],
  CAS: [el(1, true, 1, 2, ['CO', 'CR', 'OA', 'PI', 'PR']), el(2, true, 1, 5), el(3, true, 1, 18)],
  'AMT*D': [el(1, true, 1, 3, ['D']), el(2, true, 1, 18)],
  OI: [el(3, true, 1, 1, ['N', 'W', 'Y']), el(6, true, 1, 1, ['I', 'Y'])],
  'DTP*573': [el(1, true, 3, 3, ['573']), el(2, true, 2, 3, ['D8']), el(3, true, 8, 8)],
  LX: [el(1, true, 1, 6)],
  SV1: [el('1-1', true, 2, 2, ['ER', 'HC', 'IV', 'WK']), el('1-2', true, 1, 48), el('1-3', false, 2, 2), el('1-4', false, 2, 2), el('1-5', false, 2, 2), el('1-6', false, 2, 2),
    el(2, true, 1, 18), el(3, true, 2, 2, ['MJ', 'UN']), el(4, true, 1, 15), el(5, false, 1, 2), el('7-1', true, 1, 2)],
  'DTP*472': [el(1, true, 3, 3, ['472']), el(2, true, 2, 3, ['D8', 'RD8']), el(3, true, 8, 17)],
  'REF*6R': [el(1, true, 2, 3, ['6R']), el(2, true, 1, 50)],
  LIN: [el(2, true, 2, 2, ['N4', 'EN', 'EO', 'HI', 'N5', 'N6', 'UP']), el(3, true, 1, 48)],
  CTP: [el(4, true, 1, 15), el('5-1', true, 2, 2, ['F2', 'GR', 'ME', 'ML', 'UN'])],
  SVD: [el(1, true, 2, 80), el(2, true, 1, 18), el('3-1', true, 2, 2, ['ER', 'HC', 'HP', 'IV', 'WK']), el('3-2', true, 1, 48), el(5, true, 1, 15)],
  SE: [el(1, true, 1, 10), el(2, true, 4, 9)],
}

// Loops: ordered segment slots. key = tag or tag*qualifier (qualifier = element 1); usage R required / S situational;
// max repeats; loop = the child loop the slot starts (its first segment is the slot itself).
const s = (key, usage, max, loop) => ({ key, usage, max, loop })
const LOOPS = {
  header: [s('ST', 'R', 1), s('BHT', 'R', 1), s('NM1*41', 'R', 1, '1000A'), s('NM1*40', 'R', 1, '1000B'), s('HL', 'R', Infinity, 'HL'), s('SE', 'R', 1)],
  '1000A': [s('NM1*41', 'R', 1), s('PER', 'R', 2)],
  '1000B': [s('NM1*40', 'R', 1)],
  '2000A': [s('HL', 'R', 1), s('PRV*BI', 'S', 1), s('CUR', 'S', 1), s('NM1*85', 'R', 1, '2010AA'), s('NM1*87', 'S', 1, '2010AB'), s('NM1*PE', 'S', 1, '2010AC')],
  '2010AA': [s('NM1*85', 'R', 1), s('N3', 'R', 1), s('N4', 'R', 1), s('REF*EI', 'R', 1), s('REF', 'S', 2), s('PER', 'S', 2)],
  '2010AB': [s('NM1*87', 'R', 1), s('N3', 'R', 1), s('N4', 'R', 1)],
  '2000B': [s('HL', 'R', 1), s('SBR', 'R', 1), s('PAT', 'S', 1), s('NM1*IL', 'R', 1, '2010BA'), s('NM1*PR', 'R', 1, '2010BB'), s('CLM', 'S', 100, '2300')],
  '2010BA': [s('NM1*IL', 'R', 1), s('N3', 'S', 1), s('N4', 'S', 1), s('DMG', 'S', 1), s('REF', 'S', 2)],
  '2010BB': [s('NM1*PR', 'R', 1), s('N3', 'S', 1), s('N4', 'S', 1), s('REF', 'S', 2)],
  '2000C': [s('HL', 'R', 1), s('PAT', 'R', 1), s('NM1*QC', 'R', 1, '2010CA'), s('CLM', 'R', 100, '2300')],
  '2010CA': [s('NM1*QC', 'R', 1), s('N3', 'R', 1), s('N4', 'R', 1), s('DMG', 'R', 1), s('REF', 'S', 2)],
  '2300': [s('CLM', 'R', 1), s('DTP', 'S', 20), s('PWK', 'S', 10), s('CN1', 'S', 1), s('AMT', 'S', 1), s('REF*G1', 'S', 1), s('REF*F8', 'S', 1), s('REF', 'S', 12),
    s('K3', 'S', 10), s('NTE', 'S', 1), s('CR1', 'S', 1), s('CR2', 'S', 1), s('CRC', 'S', 8), s('HI', 'R', 4), s('HCP', 'S', 1),
    s('NM1*DN', 'S', 2, '2310A'), s('NM1*82', 'S', 1, '2310B'), s('NM1*77', 'S', 1, '2310C'), s('NM1*DQ', 'S', 1, '2310D'), s('SBR', 'S', 10, '2320'), s('LX', 'R', 50, '2400')],
  '2310A': [s('NM1*DN', 'R', 1), s('REF', 'S', 3)],
  '2310B': [s('NM1*82', 'R', 1), s('PRV*PE', 'S', 1), s('REF', 'S', 4)],
  '2320': [s('SBR', 'R', 1), s('CAS', 'S', 5), s('AMT*D', 'S', 1), s('AMT', 'S', 2), s('OI', 'R', 1), s('MOA', 'S', 1), s('NM1*IL', 'R', 1, '2330A'), s('NM1*PR', 'R', 1, '2330B')],
  '2330A': [s('NM1*IL', 'R', 1), s('N3', 'S', 1), s('N4', 'S', 1), s('REF', 'S', 1)],
  '2330B': [s('NM1*PR', 'R', 1), s('N3', 'S', 1), s('N4', 'S', 1), s('DTP*573', 'S', 1), s('REF', 'S', 6)],
  '2400': [s('LX', 'R', 1), s('SV1', 'R', 1), s('SV5', 'S', 1), s('PWK', 'S', 10), s('CR1', 'S', 1), s('CR3', 'S', 1), s('CRC', 'S', 3), s('DTP*472', 'R', 1), s('DTP', 'S', 10),
    s('QTY', 'S', 2), s('MEA', 'S', 5), s('CN1', 'S', 1), s('REF*6R', 'S', 1), s('REF', 'S', 15), s('AMT', 'S', 2), s('K3', 'S', 10), s('NTE', 'S', 2), s('PS1', 'S', 1), s('HCP', 'S', 1),
    s('LIN', 'S', 1, '2410'), s('NM1*82', 'S', 1, '2420A'), s('SVD', 'S', 15, '2430')],
  '2410': [s('LIN', 'R', 1), s('CTP', 'R', 1), s('REF', 'S', 1)],
  '2420A': [s('NM1*82', 'R', 1), s('PRV*PE', 'S', 1), s('REF', 'S', 20)],
  '2430': [s('SVD', 'R', 1), s('CAS', 'S', 5), s('DTP*573', 'R', 1), s('AMT', 'S', 1)],
}
const HL_LOOP = { 20: '2000A', 22: '2000B', 23: '2000C' }

function validate(text) {
  const errors = []
  const fail = (n, msg) => errors.push(n ? `segment ${n}: ${msg}` : msg)
  let interchange
  try {
    interchange = new X12Parser(true).parse(text)
  } catch (e) {
    return [`node-x12 (strict) refused the file: ${e.message}`]
  }
  const raw = text.replace(/^\s+/, '')
  if (!raw.startsWith('ISA')) return ['the file does not start with ISA']
  const elementSep = raw[3], segmentTerm = raw[105], componentSep = raw[104]
  if (raw.indexOf(segmentTerm) !== 105) fail(0, `ISA is not 106 characters long (segment terminator at ${raw.indexOf(segmentTerm) + 1})`)
  const isa = raw.slice(0, 105).split(elementSep)
  if (isa.length !== 17) fail(0, `ISA has ${isa.length - 1} elements, expected 16`)
  if (isa[12] !== '00501') fail(0, `ISA12 is ${isa[12]}, expected 00501`)
  if (!/^\d{9}$/.test(isa[13])) fail(0, `ISA13 ${isa[13]} is not 9 digits`)
  if (!['T', 'P'].includes(isa[15])) fail(0, `ISA15 ${isa[15]} is neither T nor P`)
  if ([isa[6], isa[8]].some(v => v.length !== 15)) fail(0, 'ISA06/ISA08 are not padded to 15')

  // Our own segment split (node-x12 checked syntax; we need the raw order, trailers included, to count).
  const segs = raw.split(segmentTerm).map(x => x.replace(/^[\r\n]+/, '')).filter(x => x.length > 0)
    .map(x => x.split(elementSep))
  const iea = segs[segs.length - 1]
  if (iea[0] !== 'IEA') return errors.concat(['the file does not end with IEA'])
  if (iea[2] !== isa[13]) fail(segs.length, `IEA02 ${iea[2]} does not match ISA13 ${isa[13]}`)
  const groups = segs.filter(x => x[0] === 'GS')
  if (Number(iea[1]) !== groups.length) fail(segs.length, `IEA01 says ${iea[1]} groups, the interchange has ${groups.length}`)
  if (interchange.functionalGroups.length !== groups.length) fail(0, 'node-x12 and the raw split disagree on the number of groups')

  let i = 1
  while (i < segs.length - 1) {
    const gs = segs[i]
    if (gs[0] !== 'GS') { fail(i + 1, `expected GS, found ${gs[0]}`); break }
    if (gs[1] !== 'HC') fail(i + 1, `GS01 ${gs[1]} is not HC`)
    if (gs[8] !== '005010X222A1') fail(i + 1, `GS08 ${gs[8]} is not 005010X222A1`)
    if (!/^\d{8}$/.test(gs[4])) fail(i + 1, 'GS04 is not CCYYMMDD')
    let sets = 0
    i++
    while (i < segs.length && segs[i][0] === 'ST') {
      const start = i
      let end = i
      while (end < segs.length && segs[end][0] !== 'SE') end++
      if (end >= segs.length) { fail(start + 1, 'ST without SE'); return errors }
      const se = segs[end]
      if (Number(se[1]) !== end - start + 1) fail(end + 1, `SE01 says ${se[1]} segments, ST..SE has ${end - start + 1}`)
      if (se[2] !== segs[start][2]) fail(end + 1, `SE02 ${se[2]} does not match ST02 ${segs[start][2]}`)
      transaction(segs.slice(start, end + 1), start, componentSep, fail)
      sets++
      i = end + 1
    }
    const ge = segs[i]
    if (!ge || ge[0] !== 'GE') { fail(i + 1, 'expected GE'); break }
    if (Number(ge[1]) !== sets) fail(i + 1, `GE01 says ${ge[1]} transaction sets, the group has ${sets}`)
    if (ge[2] !== gs[6]) fail(i + 1, `GE02 ${ge[2]} does not match GS06 ${gs[6]}`)
    i++
  }
  return errors
}

function keyOf(seg) {
  return `${seg[0]}*${seg[1] ?? ''}`
}

function ruleFor(seg) {
  return SEGMENTS[keyOf(seg)] ?? SEGMENTS[seg[0]]
}

function checkElements(seg, n, comp, fail) {
  const rules = ruleFor(seg)
  if (!rules) return
  for (const r of rules) {
    let value
    if (typeof r.pos === 'string') {
      const [e, c] = r.pos.split('-').map(Number)
      value = (seg[e] ?? '').split(comp)[c - 1] ?? ''
    } else value = seg[r.pos] ?? ''
    const name = `${seg[0]}${String(r.pos).padStart(2, '0')}`
    if (value === '') { if (r.req) fail(n, `${name} is required and missing`); continue }
    if (value.length < r.min || value.length > r.max) fail(n, `${name} "${value}" has length ${value.length}, allowed ${r.min}-${r.max}`)
    if (r.codes && !r.codes.includes(value)) fail(n, `${name} "${value}" is not one of ${r.codes.join(', ')}`)
  }
}

function slotMatches(slot, seg) {
  return slot.key.includes('*') ? slot.key === keyOf(seg) : slot.key === seg[0]
}

// Walks one ST..SE: a stack of open loops; a segment matches a slot at or after the loop's position, else closes the
// loop and is tried in the parent. Closing a loop checks its required slots and repeats.
function transaction(segs, offset, comp, fail) {
  const stack = [{ id: 'header', pos: 0, counts: {}, start: offset + 1 }]
  const hls = new Map()
  let lastHl = 0
  let claim = null
  const claims = []

  const close = (frame) => {
    const slots = LOOPS[frame.id]
    for (let k = 0; k < slots.length; k++)
      if (slots[k].usage === 'R' && !frame.counts[k]) fail(frame.start, `loop ${frame.id} lacks required segment ${slots[k].key}`)
  }

  for (let j = 0; j < segs.length; j++) {
    const seg = segs[j], n = offset + j + 1
    checkElements(seg, n, comp, fail)
    let placed = false
    while (stack.length && !placed) {
      const frame = stack[stack.length - 1]
      const slots = LOOPS[frame.id]
      // The loop's own first segment repeats only by starting a new instance (handled in the parent).
      for (let k = frame.pos; k < slots.length; k++) {
        if (!slotMatches(slots[k], seg)) continue
        if (k === 0 && frame.counts[0]) break
        let target = slots[k].loop
        if (target === 'HL') target = HL_LOOP[seg[3]] ?? '2000A'
        if (target && target !== frame.id) {
          frame.counts[k] = (frame.counts[k] ?? 0) + 1
          if (frame.counts[k] > slots[k].max) fail(n, `loop ${target} repeats more than ${slots[k].max} times in ${frame.id}`)
          frame.pos = k
          stack.push({ id: target, pos: 1, counts: { 0: 1 }, start: n })
        } else {
          frame.counts[k] = (frame.counts[k] ?? 0) + 1
          if (frame.counts[k] > slots[k].max) fail(n, `${slots[k].key} repeats more than ${slots[k].max} times in loop ${frame.id}`)
          frame.pos = k
        }
        placed = true
        break
      }
      if (!placed) {
        if (stack.length === 1) break
        close(stack.pop())
        // HL loops are siblings under the header, whatever their level: HL closes down to the header.
      }
    }
    if (!placed) { fail(n, `segment ${seg[0]} is not expected here (after loop ${stack.map(f => f.id).join('/')})`); continue }

    if (seg[0] === 'HL') {
      const id = Number(seg[1])
      if (id !== lastHl + 1) fail(n, `HL01 ${seg[1]} is not the next number (${lastHl + 1})`)
      lastHl = id
      const level = seg[3], parent = seg[2] ? Number(seg[2]) : null
      if (level === '20' && parent !== null) fail(n, 'HL02 must be empty on a billing provider level (20)')
      if (level !== '20') {
        const p = hls.get(parent)
        if (!p) fail(n, `HL02 ${seg[2]} names no earlier HL`)
        else if ((level === '22' && p.level !== '20') || (level === '23' && p.level !== '22')) fail(n, `HL ${seg[1]} level ${level} cannot be a child of level ${p.level}`)
        else p.children++
      }
      hls.set(id, { level, flag: seg[4], children: 0, claims: 0, n, sbr02: null })
    }
    if (seg[0] === 'SBR' && stack[stack.length - 1].id === '2000B') hls.get(lastHl).sbr02 = seg[2] ?? ''
    if (seg[0] === 'CLM') {
      hls.get(lastHl).claims++
      claim = { n, total: Number(seg[2]), freq: (seg[5] ?? '').split(comp)[2], lines: 0, sum: 0, dx: 0, f8: false, lx: 0 }
      claims.push(claim)
      if ((seg[1] ?? '').length > 20) fail(n, `CLM01 "${seg[1]}" is longer than the 20 characters receivers keep`)
    }
    if (seg[0] === 'REF' && seg[1] === 'F8' && claim) claim.f8 = true
    if (seg[0] === 'HI' && claim) {
      const codes = seg.slice(1).filter(x => x !== '')
      codes.forEach((c, k) => {
        const q = c.split(comp)[0]
        if (k === 0 && q !== 'ABK') fail(n, `HI01 qualifier ${q} must be ABK (first-listed ICD-10-CM)`)
        if (k > 0 && q !== 'ABF') fail(n, `HI${String(k + 1).padStart(2, '0')} qualifier ${q} must be ABF`)
        const code = c.split(comp)[1] ?? ''
        if (!/^[A-Z][0-9][A-Z0-9]{1,5}$/.test(code)) fail(n, `diagnosis "${code}" is not a dotless ICD-10-CM code`)
      })
      if (codes.length > 12) fail(n, `HI carries ${codes.length} diagnoses, at most 12`)
      if (new Set(codes.map(c => c.split(comp)[1])).size !== codes.length) fail(n, 'HI repeats a diagnosis')
      claim.dx += codes.length
    }
    if (seg[0] === 'LX' && claim) {
      claim.lx++
      if (Number(seg[1]) !== claim.lx) fail(n, `LX01 ${seg[1]} is not ${claim.lx}`)
    }
    if (seg[0] === 'SV1' && claim) {
      claim.lines++
      claim.sum += Math.round(Number(seg[2]) * 100)
      const mods = (seg[1] ?? '').split(comp).slice(2)
      if (mods.length > 4) fail(n, 'SV101 has more than 4 modifiers')
      const pointers = (seg[7] ?? '').split(comp).filter(x => x !== '')
      if (pointers.length < 1 || pointers.length > 4) fail(n, `SV107 has ${pointers.length} pointers, 1-4 allowed`)
      for (const p of pointers) if (!(Number(p) >= 1 && Number(p) <= claim.dx)) fail(n, `SV107 pointer ${p} points past the claim's ${claim.dx} diagnoses`)
      if (new Set(pointers).size !== pointers.length) fail(n, 'SV107 repeats a pointer')
      if (!/^-?\d+(\.\d{1,2})?$/.test(seg[2] ?? '')) fail(n, `SV102 "${seg[2]}" is not a plain amount`)
    }
  }
  while (stack.length > 1) close(stack.pop())
  close(stack[0])

  for (const c of claims) {
    if (c.sum !== Math.round(c.total * 100)) fail(c.n, `CLM02 ${c.total} is not the sum of SV102 (${c.sum / 100})`)
    if ((c.freq === '7' || c.freq === '8') && !c.f8) fail(c.n, `frequency ${c.freq} needs REF*F8`)
    if (c.lines > 50) fail(c.n, `claim has ${c.lines} lines, at most 50`)
  }
  for (const [id, h] of hls) {
    if ((h.flag === '1') !== (h.children > 0)) fail(h.n, `HL ${id} HL04 is ${h.flag} but it has ${h.children} child levels`)
    if (h.level === '22' && h.children === 0 && h.claims === 0) fail(h.n, `subscriber HL ${id} has neither claims nor patients`)
    if (h.level === '22' && h.children > 0 && h.claims > 0) fail(h.n, `subscriber HL ${id} has both claims and patient levels`)
    if (h.level === '22' && (h.children === 0) !== (h.sbr02 === '18')) fail(h.n, `SBR02 must be 18 exactly when the subscriber is the patient (HL ${id})`)
    if (h.level === '20' && h.children === 0) fail(h.n, `billing provider HL ${id} has no subscriber`)
  }
}

const files = process.argv.slice(2)
if (files.length === 0) { console.error('usage: node validate-837p.js file...'); process.exit(2) }
let bad = 0
for (const f of files) {
  const errors = validate(fs.readFileSync(f, 'utf8'))
  for (const e of errors) console.log(`${f}: ${e}`)
  if (errors.length) bad++
  else console.log(`${f}: valid 837P 005010X222A1`)
}
process.exit(bad ? 1 : 0)
