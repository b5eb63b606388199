// Original file: api/proto/qvmd/v1/instance.proto

import type { InstanceNic as _qvmd_v1_InstanceNic, InstanceNic__Output as _qvmd_v1_InstanceNic__Output } from '../../qvmd/v1/InstanceNic';
import type { PortForward as _qvmd_v1_PortForward, PortForward__Output as _qvmd_v1_PortForward__Output } from '../../qvmd/v1/PortForward';

export interface InstanceSpec {
  'id'?: (string);
  'image_id'?: (string);
  'cpus'?: (number);
  'memory_mb'?: (number);
  'disk_gb'?: (number);
  'nics'?: (_qvmd_v1_InstanceNic)[];
  'hostname'?: (string);
  'user_data'?: (string);
  'meta_data'?: (string);
  'network_config'?: (string);
  'ssh_authorized_keys'?: (string)[];
  'running'?: (boolean);
  'accel'?: (string);
  'machine'?: (string);
  'wait_for_ip_seconds'?: (number);
  'owner'?: (string);
  'port_forwards'?: (_qvmd_v1_PortForward)[];
  'wait_for'?: (string);
  'template_id'?: (string);
}

export interface InstanceSpec__Output {
  'id': (string);
  'image_id': (string);
  'cpus': (number);
  'memory_mb': (number);
  'disk_gb': (number);
  'nics': (_qvmd_v1_InstanceNic__Output)[];
  'hostname': (string);
  'user_data': (string);
  'meta_data': (string);
  'network_config': (string);
  'ssh_authorized_keys': (string)[];
  'running': (boolean);
  'accel': (string);
  'machine': (string);
  'wait_for_ip_seconds': (number);
  'owner': (string);
  'port_forwards': (_qvmd_v1_PortForward__Output)[];
  'wait_for': (string);
  'template_id': (string);
}
