// Original file: api/proto/qvmd/v1/image.proto


export interface ImageSpec {
  'id'?: (string);
  'source'?: (string);
  'sha256'?: (string);
  'format'?: (string);
  'kernel'?: (string);
  'initrd'?: (string);
  'cmdline'?: (string);
  'arch'?: (string);
  'firmware'?: (string);
  'owner'?: (string);
}

export interface ImageSpec__Output {
  'id': (string);
  'source': (string);
  'sha256': (string);
  'format': (string);
  'kernel': (string);
  'initrd': (string);
  'cmdline': (string);
  'arch': (string);
  'firmware': (string);
  'owner': (string);
}
