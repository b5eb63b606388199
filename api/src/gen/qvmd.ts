import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyBridgeRequest as _qvmd_v1_ApplyBridgeRequest, ApplyBridgeRequest__Output as _qvmd_v1_ApplyBridgeRequest__Output } from './qvmd/v1/ApplyBridgeRequest';
import type { ApplyDnsForwarderRequest as _qvmd_v1_ApplyDnsForwarderRequest, ApplyDnsForwarderRequest__Output as _qvmd_v1_ApplyDnsForwarderRequest__Output } from './qvmd/v1/ApplyDnsForwarderRequest';
import type { ApplyImageRequest as _qvmd_v1_ApplyImageRequest, ApplyImageRequest__Output as _qvmd_v1_ApplyImageRequest__Output } from './qvmd/v1/ApplyImageRequest';
import type { ApplyInstanceRequest as _qvmd_v1_ApplyInstanceRequest, ApplyInstanceRequest__Output as _qvmd_v1_ApplyInstanceRequest__Output } from './qvmd/v1/ApplyInstanceRequest';
import type { ApplyNetworkRequest as _qvmd_v1_ApplyNetworkRequest, ApplyNetworkRequest__Output as _qvmd_v1_ApplyNetworkRequest__Output } from './qvmd/v1/ApplyNetworkRequest';
import type { ApplyTemplateRequest as _qvmd_v1_ApplyTemplateRequest, ApplyTemplateRequest__Output as _qvmd_v1_ApplyTemplateRequest__Output } from './qvmd/v1/ApplyTemplateRequest';
import type { Bridge as _qvmd_v1_Bridge, Bridge__Output as _qvmd_v1_Bridge__Output } from './qvmd/v1/Bridge';
import type { BridgeSpec as _qvmd_v1_BridgeSpec, BridgeSpec__Output as _qvmd_v1_BridgeSpec__Output } from './qvmd/v1/BridgeSpec';
import type { CheckInstanceRequest as _qvmd_v1_CheckInstanceRequest, CheckInstanceRequest__Output as _qvmd_v1_CheckInstanceRequest__Output } from './qvmd/v1/CheckInstanceRequest';
import type { CheckInstanceResponse as _qvmd_v1_CheckInstanceResponse, CheckInstanceResponse__Output as _qvmd_v1_CheckInstanceResponse__Output } from './qvmd/v1/CheckInstanceResponse';
import type { CheckNetworkRequest as _qvmd_v1_CheckNetworkRequest, CheckNetworkRequest__Output as _qvmd_v1_CheckNetworkRequest__Output } from './qvmd/v1/CheckNetworkRequest';
import type { CheckNetworkResponse as _qvmd_v1_CheckNetworkResponse, CheckNetworkResponse__Output as _qvmd_v1_CheckNetworkResponse__Output } from './qvmd/v1/CheckNetworkResponse';
import type { DeleteBridgeRequest as _qvmd_v1_DeleteBridgeRequest, DeleteBridgeRequest__Output as _qvmd_v1_DeleteBridgeRequest__Output } from './qvmd/v1/DeleteBridgeRequest';
import type { DeleteBridgeResponse as _qvmd_v1_DeleteBridgeResponse, DeleteBridgeResponse__Output as _qvmd_v1_DeleteBridgeResponse__Output } from './qvmd/v1/DeleteBridgeResponse';
import type { DeleteDnsForwarderRequest as _qvmd_v1_DeleteDnsForwarderRequest, DeleteDnsForwarderRequest__Output as _qvmd_v1_DeleteDnsForwarderRequest__Output } from './qvmd/v1/DeleteDnsForwarderRequest';
import type { DeleteDnsForwarderResponse as _qvmd_v1_DeleteDnsForwarderResponse, DeleteDnsForwarderResponse__Output as _qvmd_v1_DeleteDnsForwarderResponse__Output } from './qvmd/v1/DeleteDnsForwarderResponse';
import type { DeleteImageRequest as _qvmd_v1_DeleteImageRequest, DeleteImageRequest__Output as _qvmd_v1_DeleteImageRequest__Output } from './qvmd/v1/DeleteImageRequest';
import type { DeleteImageResponse as _qvmd_v1_DeleteImageResponse, DeleteImageResponse__Output as _qvmd_v1_DeleteImageResponse__Output } from './qvmd/v1/DeleteImageResponse';
import type { DeleteInstanceRequest as _qvmd_v1_DeleteInstanceRequest, DeleteInstanceRequest__Output as _qvmd_v1_DeleteInstanceRequest__Output } from './qvmd/v1/DeleteInstanceRequest';
import type { DeleteInstanceResponse as _qvmd_v1_DeleteInstanceResponse, DeleteInstanceResponse__Output as _qvmd_v1_DeleteInstanceResponse__Output } from './qvmd/v1/DeleteInstanceResponse';
import type { DeleteNetworkRequest as _qvmd_v1_DeleteNetworkRequest, DeleteNetworkRequest__Output as _qvmd_v1_DeleteNetworkRequest__Output } from './qvmd/v1/DeleteNetworkRequest';
import type { DeleteNetworkResponse as _qvmd_v1_DeleteNetworkResponse, DeleteNetworkResponse__Output as _qvmd_v1_DeleteNetworkResponse__Output } from './qvmd/v1/DeleteNetworkResponse';
import type { DeleteTemplateRequest as _qvmd_v1_DeleteTemplateRequest, DeleteTemplateRequest__Output as _qvmd_v1_DeleteTemplateRequest__Output } from './qvmd/v1/DeleteTemplateRequest';
import type { DeleteTemplateResponse as _qvmd_v1_DeleteTemplateResponse, DeleteTemplateResponse__Output as _qvmd_v1_DeleteTemplateResponse__Output } from './qvmd/v1/DeleteTemplateResponse';
import type { DhcpReservation as _qvmd_v1_DhcpReservation, DhcpReservation__Output as _qvmd_v1_DhcpReservation__Output } from './qvmd/v1/DhcpReservation';
import type { DhcpSpec as _qvmd_v1_DhcpSpec, DhcpSpec__Output as _qvmd_v1_DhcpSpec__Output } from './qvmd/v1/DhcpSpec';
import type { DnsForwarder as _qvmd_v1_DnsForwarder, DnsForwarder__Output as _qvmd_v1_DnsForwarder__Output } from './qvmd/v1/DnsForwarder';
import type { DnsForwarderSpec as _qvmd_v1_DnsForwarderSpec, DnsForwarderSpec__Output as _qvmd_v1_DnsForwarderSpec__Output } from './qvmd/v1/DnsForwarderSpec';
import type { DnsRecord as _qvmd_v1_DnsRecord, DnsRecord__Output as _qvmd_v1_DnsRecord__Output } from './qvmd/v1/DnsRecord';
import type { GetBridgeRequest as _qvmd_v1_GetBridgeRequest, GetBridgeRequest__Output as _qvmd_v1_GetBridgeRequest__Output } from './qvmd/v1/GetBridgeRequest';
import type { GetDnsForwarderRequest as _qvmd_v1_GetDnsForwarderRequest, GetDnsForwarderRequest__Output as _qvmd_v1_GetDnsForwarderRequest__Output } from './qvmd/v1/GetDnsForwarderRequest';
import type { GetImageRequest as _qvmd_v1_GetImageRequest, GetImageRequest__Output as _qvmd_v1_GetImageRequest__Output } from './qvmd/v1/GetImageRequest';
import type { GetInstanceRequest as _qvmd_v1_GetInstanceRequest, GetInstanceRequest__Output as _qvmd_v1_GetInstanceRequest__Output } from './qvmd/v1/GetInstanceRequest';
import type { GetNetworkRequest as _qvmd_v1_GetNetworkRequest, GetNetworkRequest__Output as _qvmd_v1_GetNetworkRequest__Output } from './qvmd/v1/GetNetworkRequest';
import type { GetTemplateRequest as _qvmd_v1_GetTemplateRequest, GetTemplateRequest__Output as _qvmd_v1_GetTemplateRequest__Output } from './qvmd/v1/GetTemplateRequest';
import type { HealthRequest as _qvmd_v1_HealthRequest, HealthRequest__Output as _qvmd_v1_HealthRequest__Output } from './qvmd/v1/HealthRequest';
import type { HealthResponse as _qvmd_v1_HealthResponse, HealthResponse__Output as _qvmd_v1_HealthResponse__Output } from './qvmd/v1/HealthResponse';
import type { Image as _qvmd_v1_Image, Image__Output as _qvmd_v1_Image__Output } from './qvmd/v1/Image';
import type { ImageEvent as _qvmd_v1_ImageEvent, ImageEvent__Output as _qvmd_v1_ImageEvent__Output } from './qvmd/v1/ImageEvent';
import type { ImageSpec as _qvmd_v1_ImageSpec, ImageSpec__Output as _qvmd_v1_ImageSpec__Output } from './qvmd/v1/ImageSpec';
import type { Instance as _qvmd_v1_Instance, Instance__Output as _qvmd_v1_Instance__Output } from './qvmd/v1/Instance';
import type { InstanceEvent as _qvmd_v1_InstanceEvent, InstanceEvent__Output as _qvmd_v1_InstanceEvent__Output } from './qvmd/v1/InstanceEvent';
import type { InstanceNic as _qvmd_v1_InstanceNic, InstanceNic__Output as _qvmd_v1_InstanceNic__Output } from './qvmd/v1/InstanceNic';
import type { InstanceSpec as _qvmd_v1_InstanceSpec, InstanceSpec__Output as _qvmd_v1_InstanceSpec__Output } from './qvmd/v1/InstanceSpec';
import type { ListBridgesRequest as _qvmd_v1_ListBridgesRequest, ListBridgesRequest__Output as _qvmd_v1_ListBridgesRequest__Output } from './qvmd/v1/ListBridgesRequest';
import type { ListBridgesResponse as _qvmd_v1_ListBridgesResponse, ListBridgesResponse__Output as _qvmd_v1_ListBridgesResponse__Output } from './qvmd/v1/ListBridgesResponse';
import type { ListDnsForwardersRequest as _qvmd_v1_ListDnsForwardersRequest, ListDnsForwardersRequest__Output as _qvmd_v1_ListDnsForwardersRequest__Output } from './qvmd/v1/ListDnsForwardersRequest';
import type { ListDnsForwardersResponse as _qvmd_v1_ListDnsForwardersResponse, ListDnsForwardersResponse__Output as _qvmd_v1_ListDnsForwardersResponse__Output } from './qvmd/v1/ListDnsForwardersResponse';
import type { ListImagesRequest as _qvmd_v1_ListImagesRequest, ListImagesRequest__Output as _qvmd_v1_ListImagesRequest__Output } from './qvmd/v1/ListImagesRequest';
import type { ListImagesResponse as _qvmd_v1_ListImagesResponse, ListImagesResponse__Output as _qvmd_v1_ListImagesResponse__Output } from './qvmd/v1/ListImagesResponse';
import type { ListInstancesRequest as _qvmd_v1_ListInstancesRequest, ListInstancesRequest__Output as _qvmd_v1_ListInstancesRequest__Output } from './qvmd/v1/ListInstancesRequest';
import type { ListInstancesResponse as _qvmd_v1_ListInstancesResponse, ListInstancesResponse__Output as _qvmd_v1_ListInstancesResponse__Output } from './qvmd/v1/ListInstancesResponse';
import type { ListNetworksRequest as _qvmd_v1_ListNetworksRequest, ListNetworksRequest__Output as _qvmd_v1_ListNetworksRequest__Output } from './qvmd/v1/ListNetworksRequest';
import type { ListNetworksResponse as _qvmd_v1_ListNetworksResponse, ListNetworksResponse__Output as _qvmd_v1_ListNetworksResponse__Output } from './qvmd/v1/ListNetworksResponse';
import type { Network as _qvmd_v1_Network, Network__Output as _qvmd_v1_Network__Output } from './qvmd/v1/Network';
import type { NetworkSpec as _qvmd_v1_NetworkSpec, NetworkSpec__Output as _qvmd_v1_NetworkSpec__Output } from './qvmd/v1/NetworkSpec';
import type { NicStatus as _qvmd_v1_NicStatus, NicStatus__Output as _qvmd_v1_NicStatus__Output } from './qvmd/v1/NicStatus';
import type { PortForward as _qvmd_v1_PortForward, PortForward__Output as _qvmd_v1_PortForward__Output } from './qvmd/v1/PortForward';
import type { Progress as _qvmd_v1_Progress, Progress__Output as _qvmd_v1_Progress__Output } from './qvmd/v1/Progress';
import type { QvmdClient as _qvmd_v1_QvmdClient, QvmdDefinition as _qvmd_v1_QvmdDefinition } from './qvmd/v1/Qvmd';
import type { Template as _qvmd_v1_Template, Template__Output as _qvmd_v1_Template__Output } from './qvmd/v1/Template';
import type { TemplateEvent as _qvmd_v1_TemplateEvent, TemplateEvent__Output as _qvmd_v1_TemplateEvent__Output } from './qvmd/v1/TemplateEvent';
import type { TemplateSpec as _qvmd_v1_TemplateSpec, TemplateSpec__Output as _qvmd_v1_TemplateSpec__Output } from './qvmd/v1/TemplateSpec';
import type { UploadChunk as _qvmd_v1_UploadChunk, UploadChunk__Output as _qvmd_v1_UploadChunk__Output } from './qvmd/v1/UploadChunk';
import type { UploadHeader as _qvmd_v1_UploadHeader, UploadHeader__Output as _qvmd_v1_UploadHeader__Output } from './qvmd/v1/UploadHeader';
import type { UploadResult as _qvmd_v1_UploadResult, UploadResult__Output as _qvmd_v1_UploadResult__Output } from './qvmd/v1/UploadResult';
import type { Violation as _qvmd_v1_Violation, Violation__Output as _qvmd_v1_Violation__Output } from './qvmd/v1/Violation';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  qvmd: {
    v1: {
      ApplyBridgeRequest: MessageTypeDefinition<_qvmd_v1_ApplyBridgeRequest, _qvmd_v1_ApplyBridgeRequest__Output>
      ApplyDnsForwarderRequest: MessageTypeDefinition<_qvmd_v1_ApplyDnsForwarderRequest, _qvmd_v1_ApplyDnsForwarderRequest__Output>
      ApplyImageRequest: MessageTypeDefinition<_qvmd_v1_ApplyImageRequest, _qvmd_v1_ApplyImageRequest__Output>
      ApplyInstanceRequest: MessageTypeDefinition<_qvmd_v1_ApplyInstanceRequest, _qvmd_v1_ApplyInstanceRequest__Output>
      ApplyNetworkRequest: MessageTypeDefinition<_qvmd_v1_ApplyNetworkRequest, _qvmd_v1_ApplyNetworkRequest__Output>
      ApplyTemplateRequest: MessageTypeDefinition<_qvmd_v1_ApplyTemplateRequest, _qvmd_v1_ApplyTemplateRequest__Output>
      Bridge: MessageTypeDefinition<_qvmd_v1_Bridge, _qvmd_v1_Bridge__Output>
      BridgeSpec: MessageTypeDefinition<_qvmd_v1_BridgeSpec, _qvmd_v1_BridgeSpec__Output>
      CheckInstanceRequest: MessageTypeDefinition<_qvmd_v1_CheckInstanceRequest, _qvmd_v1_CheckInstanceRequest__Output>
      CheckInstanceResponse: MessageTypeDefinition<_qvmd_v1_CheckInstanceResponse, _qvmd_v1_CheckInstanceResponse__Output>
      CheckNetworkRequest: MessageTypeDefinition<_qvmd_v1_CheckNetworkRequest, _qvmd_v1_CheckNetworkRequest__Output>
      CheckNetworkResponse: MessageTypeDefinition<_qvmd_v1_CheckNetworkResponse, _qvmd_v1_CheckNetworkResponse__Output>
      DeleteBridgeRequest: MessageTypeDefinition<_qvmd_v1_DeleteBridgeRequest, _qvmd_v1_DeleteBridgeRequest__Output>
      DeleteBridgeResponse: MessageTypeDefinition<_qvmd_v1_DeleteBridgeResponse, _qvmd_v1_DeleteBridgeResponse__Output>
      DeleteDnsForwarderRequest: MessageTypeDefinition<_qvmd_v1_DeleteDnsForwarderRequest, _qvmd_v1_DeleteDnsForwarderRequest__Output>
      DeleteDnsForwarderResponse: MessageTypeDefinition<_qvmd_v1_DeleteDnsForwarderResponse, _qvmd_v1_DeleteDnsForwarderResponse__Output>
      DeleteImageRequest: MessageTypeDefinition<_qvmd_v1_DeleteImageRequest, _qvmd_v1_DeleteImageRequest__Output>
      DeleteImageResponse: MessageTypeDefinition<_qvmd_v1_DeleteImageResponse, _qvmd_v1_DeleteImageResponse__Output>
      DeleteInstanceRequest: MessageTypeDefinition<_qvmd_v1_DeleteInstanceRequest, _qvmd_v1_DeleteInstanceRequest__Output>
      DeleteInstanceResponse: MessageTypeDefinition<_qvmd_v1_DeleteInstanceResponse, _qvmd_v1_DeleteInstanceResponse__Output>
      DeleteNetworkRequest: MessageTypeDefinition<_qvmd_v1_DeleteNetworkRequest, _qvmd_v1_DeleteNetworkRequest__Output>
      DeleteNetworkResponse: MessageTypeDefinition<_qvmd_v1_DeleteNetworkResponse, _qvmd_v1_DeleteNetworkResponse__Output>
      DeleteTemplateRequest: MessageTypeDefinition<_qvmd_v1_DeleteTemplateRequest, _qvmd_v1_DeleteTemplateRequest__Output>
      DeleteTemplateResponse: MessageTypeDefinition<_qvmd_v1_DeleteTemplateResponse, _qvmd_v1_DeleteTemplateResponse__Output>
      DhcpReservation: MessageTypeDefinition<_qvmd_v1_DhcpReservation, _qvmd_v1_DhcpReservation__Output>
      DhcpSpec: MessageTypeDefinition<_qvmd_v1_DhcpSpec, _qvmd_v1_DhcpSpec__Output>
      DnsForwarder: MessageTypeDefinition<_qvmd_v1_DnsForwarder, _qvmd_v1_DnsForwarder__Output>
      DnsForwarderSpec: MessageTypeDefinition<_qvmd_v1_DnsForwarderSpec, _qvmd_v1_DnsForwarderSpec__Output>
      DnsRecord: MessageTypeDefinition<_qvmd_v1_DnsRecord, _qvmd_v1_DnsRecord__Output>
      GetBridgeRequest: MessageTypeDefinition<_qvmd_v1_GetBridgeRequest, _qvmd_v1_GetBridgeRequest__Output>
      GetDnsForwarderRequest: MessageTypeDefinition<_qvmd_v1_GetDnsForwarderRequest, _qvmd_v1_GetDnsForwarderRequest__Output>
      GetImageRequest: MessageTypeDefinition<_qvmd_v1_GetImageRequest, _qvmd_v1_GetImageRequest__Output>
      GetInstanceRequest: MessageTypeDefinition<_qvmd_v1_GetInstanceRequest, _qvmd_v1_GetInstanceRequest__Output>
      GetNetworkRequest: MessageTypeDefinition<_qvmd_v1_GetNetworkRequest, _qvmd_v1_GetNetworkRequest__Output>
      GetTemplateRequest: MessageTypeDefinition<_qvmd_v1_GetTemplateRequest, _qvmd_v1_GetTemplateRequest__Output>
      HealthRequest: MessageTypeDefinition<_qvmd_v1_HealthRequest, _qvmd_v1_HealthRequest__Output>
      HealthResponse: MessageTypeDefinition<_qvmd_v1_HealthResponse, _qvmd_v1_HealthResponse__Output>
      Image: MessageTypeDefinition<_qvmd_v1_Image, _qvmd_v1_Image__Output>
      ImageEvent: MessageTypeDefinition<_qvmd_v1_ImageEvent, _qvmd_v1_ImageEvent__Output>
      ImageSpec: MessageTypeDefinition<_qvmd_v1_ImageSpec, _qvmd_v1_ImageSpec__Output>
      Instance: MessageTypeDefinition<_qvmd_v1_Instance, _qvmd_v1_Instance__Output>
      InstanceEvent: MessageTypeDefinition<_qvmd_v1_InstanceEvent, _qvmd_v1_InstanceEvent__Output>
      InstanceNic: MessageTypeDefinition<_qvmd_v1_InstanceNic, _qvmd_v1_InstanceNic__Output>
      InstanceSpec: MessageTypeDefinition<_qvmd_v1_InstanceSpec, _qvmd_v1_InstanceSpec__Output>
      ListBridgesRequest: MessageTypeDefinition<_qvmd_v1_ListBridgesRequest, _qvmd_v1_ListBridgesRequest__Output>
      ListBridgesResponse: MessageTypeDefinition<_qvmd_v1_ListBridgesResponse, _qvmd_v1_ListBridgesResponse__Output>
      ListDnsForwardersRequest: MessageTypeDefinition<_qvmd_v1_ListDnsForwardersRequest, _qvmd_v1_ListDnsForwardersRequest__Output>
      ListDnsForwardersResponse: MessageTypeDefinition<_qvmd_v1_ListDnsForwardersResponse, _qvmd_v1_ListDnsForwardersResponse__Output>
      ListImagesRequest: MessageTypeDefinition<_qvmd_v1_ListImagesRequest, _qvmd_v1_ListImagesRequest__Output>
      ListImagesResponse: MessageTypeDefinition<_qvmd_v1_ListImagesResponse, _qvmd_v1_ListImagesResponse__Output>
      ListInstancesRequest: MessageTypeDefinition<_qvmd_v1_ListInstancesRequest, _qvmd_v1_ListInstancesRequest__Output>
      ListInstancesResponse: MessageTypeDefinition<_qvmd_v1_ListInstancesResponse, _qvmd_v1_ListInstancesResponse__Output>
      ListNetworksRequest: MessageTypeDefinition<_qvmd_v1_ListNetworksRequest, _qvmd_v1_ListNetworksRequest__Output>
      ListNetworksResponse: MessageTypeDefinition<_qvmd_v1_ListNetworksResponse, _qvmd_v1_ListNetworksResponse__Output>
      Network: MessageTypeDefinition<_qvmd_v1_Network, _qvmd_v1_Network__Output>
      NetworkSpec: MessageTypeDefinition<_qvmd_v1_NetworkSpec, _qvmd_v1_NetworkSpec__Output>
      NicStatus: MessageTypeDefinition<_qvmd_v1_NicStatus, _qvmd_v1_NicStatus__Output>
      PortForward: MessageTypeDefinition<_qvmd_v1_PortForward, _qvmd_v1_PortForward__Output>
      Progress: MessageTypeDefinition<_qvmd_v1_Progress, _qvmd_v1_Progress__Output>
      Qvmd: SubtypeConstructor<typeof grpc.Client, _qvmd_v1_QvmdClient> & { service: _qvmd_v1_QvmdDefinition }
      Template: MessageTypeDefinition<_qvmd_v1_Template, _qvmd_v1_Template__Output>
      TemplateEvent: MessageTypeDefinition<_qvmd_v1_TemplateEvent, _qvmd_v1_TemplateEvent__Output>
      TemplateSpec: MessageTypeDefinition<_qvmd_v1_TemplateSpec, _qvmd_v1_TemplateSpec__Output>
      UploadChunk: MessageTypeDefinition<_qvmd_v1_UploadChunk, _qvmd_v1_UploadChunk__Output>
      UploadHeader: MessageTypeDefinition<_qvmd_v1_UploadHeader, _qvmd_v1_UploadHeader__Output>
      UploadResult: MessageTypeDefinition<_qvmd_v1_UploadResult, _qvmd_v1_UploadResult__Output>
      Violation: MessageTypeDefinition<_qvmd_v1_Violation, _qvmd_v1_Violation__Output>
    }
  }
}

