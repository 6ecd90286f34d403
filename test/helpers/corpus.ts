/**
 * File names that trip up sync tools (TESTING.md): spaces, `+`, `%`, `#`, emoji, the NFC and
 * NFD forms of one word, deep paths, an empty file — with their contents.
 */
export const ODD_FILES: Readonly<Record<string, string>> = {
  'plain.txt': 'plain',
  'with space.txt': 'space',
  'plus+sign.txt': 'plus',
  'percent%20.txt': 'percent',
  'hash#tag.txt': 'hash',
  'emoji-😀.txt': 'emoji',
  ['nfc-caf\u00e9.txt']: 'nfc',
  ['nfd-cafe\u0301.txt']: 'nfd',
  'deep/a/b/c/d/e/f/g/h/leaf.json': '{"deep":true}',
  'empty.bin': '',
};
