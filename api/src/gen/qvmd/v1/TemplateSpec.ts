// Original file: api/proto/qvmd/v1/template.proto


export interface TemplateSpec {
  'id'?: (string);
  'image_id'?: (string);
  'network_id'?: (string);
  'cpus'?: (number);
  'memory_mb'?: (number);
  'hostname'?: (string);
  'user_data'?: (string);
  'ssh_authorized_keys'?: (string)[];
  'accel'?: (string);
  'wait_for'?: (string);
  'wait_seconds'?: (number);
  'owner'?: (string);
}

export interface TemplateSpec__Output {
  'id': (string);
  'image_id': (string);
  'network_id': (string);
  'cpus': (number);
  'memory_mb': (number);
  'hostname': (string);
  'user_data': (string);
  'ssh_authorized_keys': (string)[];
  'accel': (string);
  'wait_for': (string);
  'wait_seconds': (number);
  'owner': (string);
}
