// Original file: api/proto/qvmd.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyBridgeRequest as _qvmd_v1_ApplyBridgeRequest, ApplyBridgeRequest__Output as _qvmd_v1_ApplyBridgeRequest__Output } from '../../qvmd/v1/ApplyBridgeRequest';
import type { ApplyDnsForwarderRequest as _qvmd_v1_ApplyDnsForwarderRequest, ApplyDnsForwarderRequest__Output as _qvmd_v1_ApplyDnsForwarderRequest__Output } from '../../qvmd/v1/ApplyDnsForwarderRequest';
import type { ApplyImageRequest as _qvmd_v1_ApplyImageRequest, ApplyImageRequest__Output as _qvmd_v1_ApplyImageRequest__Output } from '../../qvmd/v1/ApplyImageRequest';
import type { ApplyInstanceRequest as _qvmd_v1_ApplyInstanceRequest, ApplyInstanceRequest__Output as _qvmd_v1_ApplyInstanceRequest__Output } from '../../qvmd/v1/ApplyInstanceRequest';
import type { ApplyNetworkRequest as _qvmd_v1_ApplyNetworkRequest, ApplyNetworkRequest__Output as _qvmd_v1_ApplyNetworkRequest__Output } from '../../qvmd/v1/ApplyNetworkRequest';
import type { ApplyTemplateRequest as _qvmd_v1_ApplyTemplateRequest, ApplyTemplateRequest__Output as _qvmd_v1_ApplyTemplateRequest__Output } from '../../qvmd/v1/ApplyTemplateRequest';
import type { Bridge as _qvmd_v1_Bridge, Bridge__Output as _qvmd_v1_Bridge__Output } from '../../qvmd/v1/Bridge';
import type { CheckInstanceRequest as _qvmd_v1_CheckInstanceRequest, CheckInstanceRequest__Output as _qvmd_v1_CheckInstanceRequest__Output } from '../../qvmd/v1/CheckInstanceRequest';
import type { CheckInstanceResponse as _qvmd_v1_CheckInstanceResponse, CheckInstanceResponse__Output as _qvmd_v1_CheckInstanceResponse__Output } from '../../qvmd/v1/CheckInstanceResponse';
import type { CheckNetworkRequest as _qvmd_v1_CheckNetworkRequest, CheckNetworkRequest__Output as _qvmd_v1_CheckNetworkRequest__Output } from '../../qvmd/v1/CheckNetworkRequest';
import type { CheckNetworkResponse as _qvmd_v1_CheckNetworkResponse, CheckNetworkResponse__Output as _qvmd_v1_CheckNetworkResponse__Output } from '../../qvmd/v1/CheckNetworkResponse';
import type { DeleteBridgeRequest as _qvmd_v1_DeleteBridgeRequest, DeleteBridgeRequest__Output as _qvmd_v1_DeleteBridgeRequest__Output } from '../../qvmd/v1/DeleteBridgeRequest';
import type { DeleteBridgeResponse as _qvmd_v1_DeleteBridgeResponse, DeleteBridgeResponse__Output as _qvmd_v1_DeleteBridgeResponse__Output } from '../../qvmd/v1/DeleteBridgeResponse';
import type { DeleteDnsForwarderRequest as _qvmd_v1_DeleteDnsForwarderRequest, DeleteDnsForwarderRequest__Output as _qvmd_v1_DeleteDnsForwarderRequest__Output } from '../../qvmd/v1/DeleteDnsForwarderRequest';
import type { DeleteDnsForwarderResponse as _qvmd_v1_DeleteDnsForwarderResponse, DeleteDnsForwarderResponse__Output as _qvmd_v1_DeleteDnsForwarderResponse__Output } from '../../qvmd/v1/DeleteDnsForwarderResponse';
import type { DeleteImageRequest as _qvmd_v1_DeleteImageRequest, DeleteImageRequest__Output as _qvmd_v1_DeleteImageRequest__Output } from '../../qvmd/v1/DeleteImageRequest';
import type { DeleteImageResponse as _qvmd_v1_DeleteImageResponse, DeleteImageResponse__Output as _qvmd_v1_DeleteImageResponse__Output } from '../../qvmd/v1/DeleteImageResponse';
import type { DeleteInstanceRequest as _qvmd_v1_DeleteInstanceRequest, DeleteInstanceRequest__Output as _qvmd_v1_DeleteInstanceRequest__Output } from '../../qvmd/v1/DeleteInstanceRequest';
import type { DeleteInstanceResponse as _qvmd_v1_DeleteInstanceResponse, DeleteInstanceResponse__Output as _qvmd_v1_DeleteInstanceResponse__Output } from '../../qvmd/v1/DeleteInstanceResponse';
import type { DeleteNetworkRequest as _qvmd_v1_DeleteNetworkRequest, DeleteNetworkRequest__Output as _qvmd_v1_DeleteNetworkRequest__Output } from '../../qvmd/v1/DeleteNetworkRequest';
import type { DeleteNetworkResponse as _qvmd_v1_DeleteNetworkResponse, DeleteNetworkResponse__Output as _qvmd_v1_DeleteNetworkResponse__Output } from '../../qvmd/v1/DeleteNetworkResponse';
import type { DeleteTemplateRequest as _qvmd_v1_DeleteTemplateRequest, DeleteTemplateRequest__Output as _qvmd_v1_DeleteTemplateRequest__Output } from '../../qvmd/v1/DeleteTemplateRequest';
import type { DeleteTemplateResponse as _qvmd_v1_DeleteTemplateResponse, DeleteTemplateResponse__Output as _qvmd_v1_DeleteTemplateResponse__Output } from '../../qvmd/v1/DeleteTemplateResponse';
import type { DnsForwarder as _qvmd_v1_DnsForwarder, DnsForwarder__Output as _qvmd_v1_DnsForwarder__Output } from '../../qvmd/v1/DnsForwarder';
import type { GetBridgeRequest as _qvmd_v1_GetBridgeRequest, GetBridgeRequest__Output as _qvmd_v1_GetBridgeRequest__Output } from '../../qvmd/v1/GetBridgeRequest';
import type { GetDnsForwarderRequest as _qvmd_v1_GetDnsForwarderRequest, GetDnsForwarderRequest__Output as _qvmd_v1_GetDnsForwarderRequest__Output } from '../../qvmd/v1/GetDnsForwarderRequest';
import type { GetImageRequest as _qvmd_v1_GetImageRequest, GetImageRequest__Output as _qvmd_v1_GetImageRequest__Output } from '../../qvmd/v1/GetImageRequest';
import type { GetInstanceRequest as _qvmd_v1_GetInstanceRequest, GetInstanceRequest__Output as _qvmd_v1_GetInstanceRequest__Output } from '../../qvmd/v1/GetInstanceRequest';
import type { GetNetworkRequest as _qvmd_v1_GetNetworkRequest, GetNetworkRequest__Output as _qvmd_v1_GetNetworkRequest__Output } from '../../qvmd/v1/GetNetworkRequest';
import type { GetTemplateRequest as _qvmd_v1_GetTemplateRequest, GetTemplateRequest__Output as _qvmd_v1_GetTemplateRequest__Output } from '../../qvmd/v1/GetTemplateRequest';
import type { HealthRequest as _qvmd_v1_HealthRequest, HealthRequest__Output as _qvmd_v1_HealthRequest__Output } from '../../qvmd/v1/HealthRequest';
import type { HealthResponse as _qvmd_v1_HealthResponse, HealthResponse__Output as _qvmd_v1_HealthResponse__Output } from '../../qvmd/v1/HealthResponse';
import type { Image as _qvmd_v1_Image, Image__Output as _qvmd_v1_Image__Output } from '../../qvmd/v1/Image';
import type { ImageEvent as _qvmd_v1_ImageEvent, ImageEvent__Output as _qvmd_v1_ImageEvent__Output } from '../../qvmd/v1/ImageEvent';
import type { Instance as _qvmd_v1_Instance, Instance__Output as _qvmd_v1_Instance__Output } from '../../qvmd/v1/Instance';
import type { InstanceEvent as _qvmd_v1_InstanceEvent, InstanceEvent__Output as _qvmd_v1_InstanceEvent__Output } from '../../qvmd/v1/InstanceEvent';
import type { ListBridgesRequest as _qvmd_v1_ListBridgesRequest, ListBridgesRequest__Output as _qvmd_v1_ListBridgesRequest__Output } from '../../qvmd/v1/ListBridgesRequest';
import type { ListBridgesResponse as _qvmd_v1_ListBridgesResponse, ListBridgesResponse__Output as _qvmd_v1_ListBridgesResponse__Output } from '../../qvmd/v1/ListBridgesResponse';
import type { ListDnsForwardersRequest as _qvmd_v1_ListDnsForwardersRequest, ListDnsForwardersRequest__Output as _qvmd_v1_ListDnsForwardersRequest__Output } from '../../qvmd/v1/ListDnsForwardersRequest';
import type { ListDnsForwardersResponse as _qvmd_v1_ListDnsForwardersResponse, ListDnsForwardersResponse__Output as _qvmd_v1_ListDnsForwardersResponse__Output } from '../../qvmd/v1/ListDnsForwardersResponse';
import type { ListImagesRequest as _qvmd_v1_ListImagesRequest, ListImagesRequest__Output as _qvmd_v1_ListImagesRequest__Output } from '../../qvmd/v1/ListImagesRequest';
import type { ListImagesResponse as _qvmd_v1_ListImagesResponse, ListImagesResponse__Output as _qvmd_v1_ListImagesResponse__Output } from '../../qvmd/v1/ListImagesResponse';
import type { ListInstancesRequest as _qvmd_v1_ListInstancesRequest, ListInstancesRequest__Output as _qvmd_v1_ListInstancesRequest__Output } from '../../qvmd/v1/ListInstancesRequest';
import type { ListInstancesResponse as _qvmd_v1_ListInstancesResponse, ListInstancesResponse__Output as _qvmd_v1_ListInstancesResponse__Output } from '../../qvmd/v1/ListInstancesResponse';
import type { ListNetworksRequest as _qvmd_v1_ListNetworksRequest, ListNetworksRequest__Output as _qvmd_v1_ListNetworksRequest__Output } from '../../qvmd/v1/ListNetworksRequest';
import type { ListNetworksResponse as _qvmd_v1_ListNetworksResponse, ListNetworksResponse__Output as _qvmd_v1_ListNetworksResponse__Output } from '../../qvmd/v1/ListNetworksResponse';
import type { Network as _qvmd_v1_Network, Network__Output as _qvmd_v1_Network__Output } from '../../qvmd/v1/Network';
import type { Template as _qvmd_v1_Template, Template__Output as _qvmd_v1_Template__Output } from '../../qvmd/v1/Template';
import type { TemplateEvent as _qvmd_v1_TemplateEvent, TemplateEvent__Output as _qvmd_v1_TemplateEvent__Output } from '../../qvmd/v1/TemplateEvent';
import type { UploadChunk as _qvmd_v1_UploadChunk, UploadChunk__Output as _qvmd_v1_UploadChunk__Output } from '../../qvmd/v1/UploadChunk';
import type { UploadResult as _qvmd_v1_UploadResult, UploadResult__Output as _qvmd_v1_UploadResult__Output } from '../../qvmd/v1/UploadResult';

export interface QvmdClient extends grpc.Client {
  ApplyBridge(argument: _qvmd_v1_ApplyBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  ApplyBridge(argument: _qvmd_v1_ApplyBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  ApplyBridge(argument: _qvmd_v1_ApplyBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  ApplyBridge(argument: _qvmd_v1_ApplyBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  applyBridge(argument: _qvmd_v1_ApplyBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  applyBridge(argument: _qvmd_v1_ApplyBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  applyBridge(argument: _qvmd_v1_ApplyBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  applyBridge(argument: _qvmd_v1_ApplyBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  
  ApplyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  ApplyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  ApplyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  ApplyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  applyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  applyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  applyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  applyDnsForwarder(argument: _qvmd_v1_ApplyDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  
  ApplyImage(argument: _qvmd_v1_ApplyImageRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_ImageEvent__Output>;
  ApplyImage(argument: _qvmd_v1_ApplyImageRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_ImageEvent__Output>;
  applyImage(argument: _qvmd_v1_ApplyImageRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_ImageEvent__Output>;
  applyImage(argument: _qvmd_v1_ApplyImageRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_ImageEvent__Output>;
  
  ApplyInstance(argument: _qvmd_v1_ApplyInstanceRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_InstanceEvent__Output>;
  ApplyInstance(argument: _qvmd_v1_ApplyInstanceRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_InstanceEvent__Output>;
  applyInstance(argument: _qvmd_v1_ApplyInstanceRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_InstanceEvent__Output>;
  applyInstance(argument: _qvmd_v1_ApplyInstanceRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_InstanceEvent__Output>;
  
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  ApplyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  applyNetwork(argument: _qvmd_v1_ApplyNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  
  ApplyTemplate(argument: _qvmd_v1_ApplyTemplateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_TemplateEvent__Output>;
  ApplyTemplate(argument: _qvmd_v1_ApplyTemplateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_TemplateEvent__Output>;
  applyTemplate(argument: _qvmd_v1_ApplyTemplateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_TemplateEvent__Output>;
  applyTemplate(argument: _qvmd_v1_ApplyTemplateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_qvmd_v1_TemplateEvent__Output>;
  
  CheckInstance(argument: _qvmd_v1_CheckInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  CheckInstance(argument: _qvmd_v1_CheckInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  CheckInstance(argument: _qvmd_v1_CheckInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  CheckInstance(argument: _qvmd_v1_CheckInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  checkInstance(argument: _qvmd_v1_CheckInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  checkInstance(argument: _qvmd_v1_CheckInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  checkInstance(argument: _qvmd_v1_CheckInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  checkInstance(argument: _qvmd_v1_CheckInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_CheckInstanceResponse__Output>): grpc.ClientUnaryCall;
  
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  CheckNetwork(argument: _qvmd_v1_CheckNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  checkNetwork(argument: _qvmd_v1_CheckNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_CheckNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  DeleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  DeleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  DeleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  deleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  deleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  deleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  deleteBridge(argument: _qvmd_v1_DeleteBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteBridgeResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  DeleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  DeleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  DeleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  deleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  deleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  deleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  deleteDnsForwarder(argument: _qvmd_v1_DeleteDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteDnsForwarderResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteImage(argument: _qvmd_v1_DeleteImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _qvmd_v1_DeleteImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _qvmd_v1_DeleteImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _qvmd_v1_DeleteImageRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _qvmd_v1_DeleteImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _qvmd_v1_DeleteImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _qvmd_v1_DeleteImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _qvmd_v1_DeleteImageRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteImageResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  DeleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  DeleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  DeleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  deleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  deleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  deleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  deleteInstance(argument: _qvmd_v1_DeleteInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteInstanceResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _qvmd_v1_DeleteNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _qvmd_v1_DeleteTemplateRequest, callback: grpc.requestCallback<_qvmd_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  
  GetBridge(argument: _qvmd_v1_GetBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  GetBridge(argument: _qvmd_v1_GetBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  GetBridge(argument: _qvmd_v1_GetBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  GetBridge(argument: _qvmd_v1_GetBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  getBridge(argument: _qvmd_v1_GetBridgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  getBridge(argument: _qvmd_v1_GetBridgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  getBridge(argument: _qvmd_v1_GetBridgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  getBridge(argument: _qvmd_v1_GetBridgeRequest, callback: grpc.requestCallback<_qvmd_v1_Bridge__Output>): grpc.ClientUnaryCall;
  
  GetDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  GetDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  GetDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  GetDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  getDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  getDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  getDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  getDnsForwarder(argument: _qvmd_v1_GetDnsForwarderRequest, callback: grpc.requestCallback<_qvmd_v1_DnsForwarder__Output>): grpc.ClientUnaryCall;
  
  GetImage(argument: _qvmd_v1_GetImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  GetImage(argument: _qvmd_v1_GetImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  GetImage(argument: _qvmd_v1_GetImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  GetImage(argument: _qvmd_v1_GetImageRequest, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  getImage(argument: _qvmd_v1_GetImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  getImage(argument: _qvmd_v1_GetImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  getImage(argument: _qvmd_v1_GetImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  getImage(argument: _qvmd_v1_GetImageRequest, callback: grpc.requestCallback<_qvmd_v1_Image__Output>): grpc.ClientUnaryCall;
  
  GetInstance(argument: _qvmd_v1_GetInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  GetInstance(argument: _qvmd_v1_GetInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  GetInstance(argument: _qvmd_v1_GetInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  GetInstance(argument: _qvmd_v1_GetInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  getInstance(argument: _qvmd_v1_GetInstanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  getInstance(argument: _qvmd_v1_GetInstanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  getInstance(argument: _qvmd_v1_GetInstanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  getInstance(argument: _qvmd_v1_GetInstanceRequest, callback: grpc.requestCallback<_qvmd_v1_Instance__Output>): grpc.ClientUnaryCall;
  
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _qvmd_v1_GetNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _qvmd_v1_GetNetworkRequest, callback: grpc.requestCallback<_qvmd_v1_Network__Output>): grpc.ClientUnaryCall;
  
  GetTemplate(argument: _qvmd_v1_GetTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  GetTemplate(argument: _qvmd_v1_GetTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  GetTemplate(argument: _qvmd_v1_GetTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  GetTemplate(argument: _qvmd_v1_GetTemplateRequest, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  getTemplate(argument: _qvmd_v1_GetTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  getTemplate(argument: _qvmd_v1_GetTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  getTemplate(argument: _qvmd_v1_GetTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  getTemplate(argument: _qvmd_v1_GetTemplateRequest, callback: grpc.requestCallback<_qvmd_v1_Template__Output>): grpc.ClientUnaryCall;
  
  Health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  Health(argument: _qvmd_v1_HealthRequest, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  health(argument: _qvmd_v1_HealthRequest, callback: grpc.requestCallback<_qvmd_v1_HealthResponse__Output>): grpc.ClientUnaryCall;
  
  ListBridges(argument: _qvmd_v1_ListBridgesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  ListBridges(argument: _qvmd_v1_ListBridgesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  ListBridges(argument: _qvmd_v1_ListBridgesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  ListBridges(argument: _qvmd_v1_ListBridgesRequest, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  listBridges(argument: _qvmd_v1_ListBridgesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  listBridges(argument: _qvmd_v1_ListBridgesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  listBridges(argument: _qvmd_v1_ListBridgesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  listBridges(argument: _qvmd_v1_ListBridgesRequest, callback: grpc.requestCallback<_qvmd_v1_ListBridgesResponse__Output>): grpc.ClientUnaryCall;
  
  ListDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  ListDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  ListDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  ListDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  listDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  listDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  listDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  listDnsForwarders(argument: _qvmd_v1_ListDnsForwardersRequest, callback: grpc.requestCallback<_qvmd_v1_ListDnsForwardersResponse__Output>): grpc.ClientUnaryCall;
  
  ListImages(argument: _qvmd_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _qvmd_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _qvmd_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _qvmd_v1_ListImagesRequest, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _qvmd_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _qvmd_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _qvmd_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _qvmd_v1_ListImagesRequest, callback: grpc.requestCallback<_qvmd_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  
  ListInstances(argument: _qvmd_v1_ListInstancesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  ListInstances(argument: _qvmd_v1_ListInstancesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  ListInstances(argument: _qvmd_v1_ListInstancesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  ListInstances(argument: _qvmd_v1_ListInstancesRequest, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  listInstances(argument: _qvmd_v1_ListInstancesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  listInstances(argument: _qvmd_v1_ListInstancesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  listInstances(argument: _qvmd_v1_ListInstancesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  listInstances(argument: _qvmd_v1_ListInstancesRequest, callback: grpc.requestCallback<_qvmd_v1_ListInstancesResponse__Output>): grpc.ClientUnaryCall;
  
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _qvmd_v1_ListNetworksRequest, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _qvmd_v1_ListNetworksRequest, callback: grpc.requestCallback<_qvmd_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  
  UploadBlob(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  UploadBlob(metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  UploadBlob(options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  UploadBlob(callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  uploadBlob(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  uploadBlob(metadata: grpc.Metadata, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  uploadBlob(options: grpc.CallOptions, callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  uploadBlob(callback: grpc.requestCallback<_qvmd_v1_UploadResult__Output>): grpc.ClientWritableStream<_qvmd_v1_UploadChunk>;
  
}

export interface QvmdHandlers extends grpc.UntypedServiceImplementation {
  ApplyBridge: grpc.handleUnaryCall<_qvmd_v1_ApplyBridgeRequest__Output, _qvmd_v1_Bridge>;
  
  ApplyDnsForwarder: grpc.handleUnaryCall<_qvmd_v1_ApplyDnsForwarderRequest__Output, _qvmd_v1_DnsForwarder>;
  
  ApplyImage: grpc.handleServerStreamingCall<_qvmd_v1_ApplyImageRequest__Output, _qvmd_v1_ImageEvent>;
  
  ApplyInstance: grpc.handleServerStreamingCall<_qvmd_v1_ApplyInstanceRequest__Output, _qvmd_v1_InstanceEvent>;
  
  ApplyNetwork: grpc.handleUnaryCall<_qvmd_v1_ApplyNetworkRequest__Output, _qvmd_v1_Network>;
  
  ApplyTemplate: grpc.handleServerStreamingCall<_qvmd_v1_ApplyTemplateRequest__Output, _qvmd_v1_TemplateEvent>;
  
  CheckInstance: grpc.handleUnaryCall<_qvmd_v1_CheckInstanceRequest__Output, _qvmd_v1_CheckInstanceResponse>;
  
  CheckNetwork: grpc.handleUnaryCall<_qvmd_v1_CheckNetworkRequest__Output, _qvmd_v1_CheckNetworkResponse>;
  
  DeleteBridge: grpc.handleUnaryCall<_qvmd_v1_DeleteBridgeRequest__Output, _qvmd_v1_DeleteBridgeResponse>;
  
  DeleteDnsForwarder: grpc.handleUnaryCall<_qvmd_v1_DeleteDnsForwarderRequest__Output, _qvmd_v1_DeleteDnsForwarderResponse>;
  
  DeleteImage: grpc.handleUnaryCall<_qvmd_v1_DeleteImageRequest__Output, _qvmd_v1_DeleteImageResponse>;
  
  DeleteInstance: grpc.handleUnaryCall<_qvmd_v1_DeleteInstanceRequest__Output, _qvmd_v1_DeleteInstanceResponse>;
  
  DeleteNetwork: grpc.handleUnaryCall<_qvmd_v1_DeleteNetworkRequest__Output, _qvmd_v1_DeleteNetworkResponse>;
  
  DeleteTemplate: grpc.handleUnaryCall<_qvmd_v1_DeleteTemplateRequest__Output, _qvmd_v1_DeleteTemplateResponse>;
  
  GetBridge: grpc.handleUnaryCall<_qvmd_v1_GetBridgeRequest__Output, _qvmd_v1_Bridge>;
  
  GetDnsForwarder: grpc.handleUnaryCall<_qvmd_v1_GetDnsForwarderRequest__Output, _qvmd_v1_DnsForwarder>;
  
  GetImage: grpc.handleUnaryCall<_qvmd_v1_GetImageRequest__Output, _qvmd_v1_Image>;
  
  GetInstance: grpc.handleUnaryCall<_qvmd_v1_GetInstanceRequest__Output, _qvmd_v1_Instance>;
  
  GetNetwork: grpc.handleUnaryCall<_qvmd_v1_GetNetworkRequest__Output, _qvmd_v1_Network>;
  
  GetTemplate: grpc.handleUnaryCall<_qvmd_v1_GetTemplateRequest__Output, _qvmd_v1_Template>;
  
  Health: grpc.handleUnaryCall<_qvmd_v1_HealthRequest__Output, _qvmd_v1_HealthResponse>;
  
  ListBridges: grpc.handleUnaryCall<_qvmd_v1_ListBridgesRequest__Output, _qvmd_v1_ListBridgesResponse>;
  
  ListDnsForwarders: grpc.handleUnaryCall<_qvmd_v1_ListDnsForwardersRequest__Output, _qvmd_v1_ListDnsForwardersResponse>;
  
  ListImages: grpc.handleUnaryCall<_qvmd_v1_ListImagesRequest__Output, _qvmd_v1_ListImagesResponse>;
  
  ListInstances: grpc.handleUnaryCall<_qvmd_v1_ListInstancesRequest__Output, _qvmd_v1_ListInstancesResponse>;
  
  ListNetworks: grpc.handleUnaryCall<_qvmd_v1_ListNetworksRequest__Output, _qvmd_v1_ListNetworksResponse>;
  
  UploadBlob: grpc.handleClientStreamingCall<_qvmd_v1_UploadChunk__Output, _qvmd_v1_UploadResult>;
  
}

export interface QvmdDefinition extends grpc.ServiceDefinition {
  ApplyBridge: MethodDefinition<_qvmd_v1_ApplyBridgeRequest, _qvmd_v1_Bridge, _qvmd_v1_ApplyBridgeRequest__Output, _qvmd_v1_Bridge__Output>
  ApplyDnsForwarder: MethodDefinition<_qvmd_v1_ApplyDnsForwarderRequest, _qvmd_v1_DnsForwarder, _qvmd_v1_ApplyDnsForwarderRequest__Output, _qvmd_v1_DnsForwarder__Output>
  ApplyImage: MethodDefinition<_qvmd_v1_ApplyImageRequest, _qvmd_v1_ImageEvent, _qvmd_v1_ApplyImageRequest__Output, _qvmd_v1_ImageEvent__Output>
  ApplyInstance: MethodDefinition<_qvmd_v1_ApplyInstanceRequest, _qvmd_v1_InstanceEvent, _qvmd_v1_ApplyInstanceRequest__Output, _qvmd_v1_InstanceEvent__Output>
  ApplyNetwork: MethodDefinition<_qvmd_v1_ApplyNetworkRequest, _qvmd_v1_Network, _qvmd_v1_ApplyNetworkRequest__Output, _qvmd_v1_Network__Output>
  ApplyTemplate: MethodDefinition<_qvmd_v1_ApplyTemplateRequest, _qvmd_v1_TemplateEvent, _qvmd_v1_ApplyTemplateRequest__Output, _qvmd_v1_TemplateEvent__Output>
  CheckInstance: MethodDefinition<_qvmd_v1_CheckInstanceRequest, _qvmd_v1_CheckInstanceResponse, _qvmd_v1_CheckInstanceRequest__Output, _qvmd_v1_CheckInstanceResponse__Output>
  CheckNetwork: MethodDefinition<_qvmd_v1_CheckNetworkRequest, _qvmd_v1_CheckNetworkResponse, _qvmd_v1_CheckNetworkRequest__Output, _qvmd_v1_CheckNetworkResponse__Output>
  DeleteBridge: MethodDefinition<_qvmd_v1_DeleteBridgeRequest, _qvmd_v1_DeleteBridgeResponse, _qvmd_v1_DeleteBridgeRequest__Output, _qvmd_v1_DeleteBridgeResponse__Output>
  DeleteDnsForwarder: MethodDefinition<_qvmd_v1_DeleteDnsForwarderRequest, _qvmd_v1_DeleteDnsForwarderResponse, _qvmd_v1_DeleteDnsForwarderRequest__Output, _qvmd_v1_DeleteDnsForwarderResponse__Output>
  DeleteImage: MethodDefinition<_qvmd_v1_DeleteImageRequest, _qvmd_v1_DeleteImageResponse, _qvmd_v1_DeleteImageRequest__Output, _qvmd_v1_DeleteImageResponse__Output>
  DeleteInstance: MethodDefinition<_qvmd_v1_DeleteInstanceRequest, _qvmd_v1_DeleteInstanceResponse, _qvmd_v1_DeleteInstanceRequest__Output, _qvmd_v1_DeleteInstanceResponse__Output>
  DeleteNetwork: MethodDefinition<_qvmd_v1_DeleteNetworkRequest, _qvmd_v1_DeleteNetworkResponse, _qvmd_v1_DeleteNetworkRequest__Output, _qvmd_v1_DeleteNetworkResponse__Output>
  DeleteTemplate: MethodDefinition<_qvmd_v1_DeleteTemplateRequest, _qvmd_v1_DeleteTemplateResponse, _qvmd_v1_DeleteTemplateRequest__Output, _qvmd_v1_DeleteTemplateResponse__Output>
  GetBridge: MethodDefinition<_qvmd_v1_GetBridgeRequest, _qvmd_v1_Bridge, _qvmd_v1_GetBridgeRequest__Output, _qvmd_v1_Bridge__Output>
  GetDnsForwarder: MethodDefinition<_qvmd_v1_GetDnsForwarderRequest, _qvmd_v1_DnsForwarder, _qvmd_v1_GetDnsForwarderRequest__Output, _qvmd_v1_DnsForwarder__Output>
  GetImage: MethodDefinition<_qvmd_v1_GetImageRequest, _qvmd_v1_Image, _qvmd_v1_GetImageRequest__Output, _qvmd_v1_Image__Output>
  GetInstance: MethodDefinition<_qvmd_v1_GetInstanceRequest, _qvmd_v1_Instance, _qvmd_v1_GetInstanceRequest__Output, _qvmd_v1_Instance__Output>
  GetNetwork: MethodDefinition<_qvmd_v1_GetNetworkRequest, _qvmd_v1_Network, _qvmd_v1_GetNetworkRequest__Output, _qvmd_v1_Network__Output>
  GetTemplate: MethodDefinition<_qvmd_v1_GetTemplateRequest, _qvmd_v1_Template, _qvmd_v1_GetTemplateRequest__Output, _qvmd_v1_Template__Output>
  Health: MethodDefinition<_qvmd_v1_HealthRequest, _qvmd_v1_HealthResponse, _qvmd_v1_HealthRequest__Output, _qvmd_v1_HealthResponse__Output>
  ListBridges: MethodDefinition<_qvmd_v1_ListBridgesRequest, _qvmd_v1_ListBridgesResponse, _qvmd_v1_ListBridgesRequest__Output, _qvmd_v1_ListBridgesResponse__Output>
  ListDnsForwarders: MethodDefinition<_qvmd_v1_ListDnsForwardersRequest, _qvmd_v1_ListDnsForwardersResponse, _qvmd_v1_ListDnsForwardersRequest__Output, _qvmd_v1_ListDnsForwardersResponse__Output>
  ListImages: MethodDefinition<_qvmd_v1_ListImagesRequest, _qvmd_v1_ListImagesResponse, _qvmd_v1_ListImagesRequest__Output, _qvmd_v1_ListImagesResponse__Output>
  ListInstances: MethodDefinition<_qvmd_v1_ListInstancesRequest, _qvmd_v1_ListInstancesResponse, _qvmd_v1_ListInstancesRequest__Output, _qvmd_v1_ListInstancesResponse__Output>
  ListNetworks: MethodDefinition<_qvmd_v1_ListNetworksRequest, _qvmd_v1_ListNetworksResponse, _qvmd_v1_ListNetworksRequest__Output, _qvmd_v1_ListNetworksResponse__Output>
  UploadBlob: MethodDefinition<_qvmd_v1_UploadChunk, _qvmd_v1_UploadResult, _qvmd_v1_UploadChunk__Output, _qvmd_v1_UploadResult__Output>
}
